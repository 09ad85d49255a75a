// Test-only: a service made in code whose google.api.http annotations use every feature REST
// transcoding supports, with handlers that echo the request they decoded.
import { create, createFileRegistry, setExtension, type DescService, type MessageInitShape } from "@bufbuild/protobuf";
import {
  FieldDescriptorProto_Label as Label,
  FieldDescriptorProto_Type as Type,
  FileDescriptorProtoSchema,
  MethodOptionsSchema,
  file_google_protobuf_timestamp,
  type MethodOptions,
} from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import { file_common_v1_money } from "../../gen/common/v1/money_pb.js";
import { http } from "../../gen/google/api/annotations_pb.js";
import { HttpRuleSchema } from "../../gen/google/api/http_pb.js";
import { invalidArgument, notFound, refused, unavailable } from "../errors/rpc-errors.js";

type Rule = MessageInitShape<typeof HttpRuleSchema>;

function options(rule: Rule): MethodOptions {
  const opts = create(MethodOptionsSchema);
  setExtension(opts, http, create(HttpRuleSchema, rule));
  return opts;
}

const field = (name: string, number: number, type: Type, extra: { typeName?: string; repeated?: boolean } = {}) => ({
  name,
  number,
  type,
  jsonName: name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()),
  label: extra.repeated ? Label.REPEATED : Label.OPTIONAL,
  typeName: extra.typeName,
});

const registry = createFileRegistry(
  create(FileDescriptorProtoSchema, {
    name: "mesh/test/v1/rest.proto",
    package: "mesh.test.v1",
    syntax: "proto3",
    dependency: ["common/v1/money.proto", "google/protobuf/timestamp.proto"],
    enumType: [{ name: "Kind", value: [{ name: "KIND_UNSPECIFIED", number: 0 }, { name: "KIND_ROSE", number: 1 }, { name: "KIND_TULIP", number: 2 }] }],
    messageType: [
      { name: "Filter", field: [field("min_qty", 1, Type.INT32)] },
      {
        name: "Item",
        field: [
          field("id", 1, Type.STRING), field("shelf", 2, Type.STRING), field("qty", 3, Type.INT32), field("fragile", 4, Type.BOOL),
          field("kind", 5, Type.ENUM, { typeName: ".mesh.test.v1.Kind" }), field("tags", 6, Type.STRING, { repeated: true }),
          field("price", 7, Type.MESSAGE, { typeName: ".common.v1.Money" }), field("at", 8, Type.MESSAGE, { typeName: ".google.protobuf.Timestamp" }),
          field("big", 9, Type.INT64),
        ],
      },
      {
        name: "GetItemRequest",
        field: [
          field("shelf", 1, Type.STRING), field("id", 2, Type.STRING), field("verbose", 3, Type.BOOL),
          field("tags", 4, Type.STRING, { repeated: true }), field("kind", 5, Type.ENUM, { typeName: ".mesh.test.v1.Kind" }),
          field("filter", 6, Type.MESSAGE, { typeName: ".mesh.test.v1.Filter" }), field("item", 7, Type.MESSAGE, { typeName: ".mesh.test.v1.Item" }),
        ],
      },
      { name: "UpdateItemRequest", field: [field("item", 1, Type.MESSAGE, { typeName: ".mesh.test.v1.Item" }), field("note", 2, Type.STRING)] },
      { name: "MoveItemRequest", field: [field("name", 1, Type.STRING), field("to", 2, Type.STRING), field("qty", 3, Type.INT32)] },
      { name: "ListItemsResponse", field: [field("items", 1, Type.MESSAGE, { typeName: ".mesh.test.v1.Item", repeated: true }), field("next", 2, Type.STRING)] },
    ],
    service: [{
      name: "ShelfService",
      method: [
        {
          name: "GetItem", inputType: ".mesh.test.v1.GetItemRequest", outputType: ".mesh.test.v1.GetItemRequest",
          options: options({ pattern: { case: "get", value: "/v1/shelves/{shelf}/items/{id}" }, additionalBindings: [{ pattern: { case: "get", value: "/v1/items/{id}" } }] }),
        },
        {
          name: "UpdateItem", inputType: ".mesh.test.v1.UpdateItemRequest", outputType: ".mesh.test.v1.UpdateItemRequest",
          options: options({
            pattern: { case: "patch", value: "/v1/items/{item.id}" }, body: "item",
            additionalBindings: [{ pattern: { case: "put", value: "/v1/shelves/{item.shelf}/items/{item.id}" }, body: "item" }],
          }),
        },
        {
          name: "MoveItem", inputType: ".mesh.test.v1.MoveItemRequest", outputType: ".mesh.test.v1.MoveItemRequest",
          options: options({ pattern: { case: "post", value: "/v1/{name=shelves/*/items/*}:move" }, body: "*" }),
        },
        {
          name: "ListItems", inputType: ".mesh.test.v1.GetItemRequest", outputType: ".mesh.test.v1.ListItemsResponse",
          options: options({ pattern: { case: "get", value: "/v1/shelves/{shelf}/items" }, responseBody: "items" }),
        },
        { name: "Unannotated", inputType: ".mesh.test.v1.GetItemRequest", outputType: ".mesh.test.v1.GetItemRequest" },
      ],
    }],
  }),
  (name) => ({ "common/v1/money.proto": file_common_v1_money, "google/protobuf/timestamp.proto": file_google_protobuf_timestamp })[name],
);

/** mesh.test.v1.ShelfService: GetItem (two GET bindings), UpdateItem (named body, nested path fields), MoveItem (multi-segment variable, verb), ListItems (response_body). */
export const ShelfService: DescService = registry.getService("mesh.test.v1.ShelfService")!;

type Echo = { id?: string; item?: { id?: string }; name?: string };

/** Echoes each request; an id (or item id, or name) of "missing", "bad", "refused", "exists", "down" or "boom" fails that way. */
export function shelfImpl(): Partial<ServiceImpl<DescService>> {
  const echo = (request: unknown) => {
    const r = request as Echo;
    switch (r.id ?? r.item?.id ?? r.name) {
      case "missing": throw notFound("item", "missing");
      case "bad": throw invalidArgument({ field: "id", description: "must not be bad" });
      case "refused": throw refused("the shelf is locked", "SHELF_LOCKED");
      case "exists": throw new ConnectError("the item exists already", Code.AlreadyExists);
      case "down": throw unavailable("the shelf database is down", 2000);
      case "boom": throw new Error("a bug");
    }
    return request;
  };
  return {
    getItem: echo,
    updateItem: echo,
    moveItem: echo,
    listItems: (request: unknown, _ctx: HandlerContext) => ({ items: [{ id: "a", shelf: (request as { shelf: string }).shelf }, { id: "b" }], next: "x" }),
    unannotated: echo,
  } as unknown as Partial<ServiceImpl<DescService>>;
}
