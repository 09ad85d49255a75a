import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { create, createFileRegistry, fromBinary, setExtension, type AnyDesc, type DescService, type JsonObject, type MessageInitShape } from "@bufbuild/protobuf";
import {
  FieldDescriptorProto_Label as Label,
  FieldDescriptorProto_Type as Type,
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
  MethodOptionsSchema,
  file_google_protobuf_any,
  file_google_protobuf_duration,
  file_google_protobuf_empty,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_protobuf_wrappers,
  type MethodOptions,
} from "@bufbuild/protobuf/wkt";
import { Validator } from "@seriousme/openapi-schema-validator";
import { file_common_v1_money } from "../../gen/common/v1/money_pb.js";
import { http } from "../../gen/google/api/annotations_pb.js";
import { HttpRuleSchema } from "../../gen/google/api/http_pb.js";
import { ItemService, OrderService } from "../../gen/meshtest/v1/sample_pb.js";
import { openApiDocument, type OpenApiDocument } from "./openapi.js";
import { commentsFrom } from "./proto-comments.js";

// The test contract (proto/meshtest/v1), with the comments of the image `npm install` and `npm run generate` build.
const image = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync("gen/contract.binpb")));
const contract = openApiDocument([OrderService, ItemService], {
  title: "test", version: "1", comments: commentsFrom(image),
});

// Walks a JSON path through the document, failing with the path when a step is missing.
function at(doc: OpenApiDocument, ...path: string[]): JsonObject {
  let node: unknown = doc;
  for (const [i, key] of path.entries()) {
    node = (node as Record<string, unknown>)[key];
    assert.ok(node !== undefined, `no ${path.slice(0, i + 1).join(" > ")}`);
  }
  return node as JsonObject;
}

const schema = (doc: OpenApiDocument, name: string) => at(doc, "components", "schemas", name);
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

test("GET /meshtest/orders/{id}: a required path parameter, no body", () => {
  const get = at(contract, "paths", "/meshtest/orders/{id}", "get");
  assert.equal(get.operationId, "OrderService_GetOrder");
  assert.deepEqual(get.tags, ["OrderService"]);
  assert.deepEqual(get.parameters, [{ name: "id", in: "path", required: true, schema: { type: "string" } }]);
  assert.equal(get.requestBody, undefined);
  assert.deepEqual(at(contract, "paths", "/meshtest/orders/{id}", "get", "responses", "200", "content", "application/json", "schema"), ref("meshtest.v1.GetOrderResponse"));
});

test("POST /meshtest/orders: the request message as the body, errors as google.rpc.Status", () => {
  const post = at(contract, "paths", "/meshtest/orders", "post");
  assert.deepEqual(post.requestBody, { required: true, content: { "application/json": { schema: ref("meshtest.v1.PlaceOrderRequest") } } });
  assert.equal(post.parameters, undefined, "a * body leaves nothing to the query");
  for (const status of ["400", "404", "409", "412", "503"]) {
    assert.deepEqual(at(contract, "paths", "/meshtest/orders", "post", "responses", status), { $ref: `#/components/responses/${status}` });
    assert.deepEqual(at(contract, "components", "responses", status, "content", "application/json", "schema"), ref("google.rpc.Status"));
  }
  assert.match(String(at(contract, "components", "responses", "412").description), /FAILED_PRECONDITION \(9\)/);
  // What the REST layer refuses before any handler: only where a body is read.
  for (const status of ["413", "415"]) assert.deepEqual(at(contract, "paths", "/meshtest/orders", "post", "responses", status), { $ref: `#/components/responses/${status}` });
  assert.equal((at(contract, "paths", "/meshtest/orders/{id}", "get", "responses") as Record<string, unknown>)["415"], undefined);
});

test("the path-bound fields of a * body are left out of it", () => {
  const body = at(contract, "paths", "/meshtest/orders/{id}/cancel", "put", "requestBody", "content", "application/json", "schema");
  assert.deepEqual(body, { type: "object", properties: { reason: { type: "string" } } });
});

test("without a body, the remaining fields are query parameters by their JSON names; an enum's refers to its schema", () => {
  const list = at(contract, "paths", "/meshtest/orders", "get");
  const parameters = list.parameters as JsonObject[];
  assert.deepEqual(parameters.map((p) => [p.name, p.in]), [["itemId", "query"], ["status", "query"], ["pageSize", "query"]]);
  assert.deepEqual(parameters[1].schema, ref("meshtest.v1.OrderStatus"));
  assert.equal(at(contract, "paths", "/meshtest/items", "get").parameters, undefined, "an empty request has none");
});

test("schemas follow the protobuf JSON mapping", () => {
  assert.deepEqual(at(contract, "components", "schemas", "common.v1.Money", "properties", "amount", "type"), "string");
  assert.equal(at(contract, "components", "schemas", "common.v1.Money", "properties", "amount").format, "int64");
  const order = schema(contract, "meshtest.v1.Order").properties as Record<string, JsonObject>;
  assert.deepEqual(order.qty, { type: "integer", format: "int32" });
  assert.deepEqual(order.isPickup.type, "boolean");
  assert.deepEqual(order.placedAt, { type: "string", format: "date-time" });
  assert.deepEqual(order.status, ref("meshtest.v1.OrderStatus"));
  assert.deepEqual(order.amount, ref("common.v1.Money"));
  assert.deepEqual(schema(contract, "meshtest.v1.OrderStatus").enum, [
    "ORDER_STATUS_UNSPECIFIED", "ORDER_STATUS_PLACED", "ORDER_STATUS_DELIVERY_STARTED", "ORDER_STATUS_DELIVERED", "ORDER_STATUS_CANCELLED",
  ]);
  assert.deepEqual(at(contract, "components", "schemas", "meshtest.v1.ListOrdersResponse", "properties", "orders"), { type: "array", items: ref("meshtest.v1.Order") });
  const details = at(contract, "components", "schemas", "google.rpc.Status", "properties", "details", "items");
  assert.deepEqual(details.required, ["@type"]);
  assert.ok(schema(contract, "google.rpc.BadRequest"), "the error detail types are described");
});

test("descriptions come from the proto comments", () => {
  assert.deepEqual(contract.tags.find((t) => t.name === "OrderService"), {
    name: "OrderService", description: "The sample orders the REST and OpenAPI tests read: a body, path-bound fields, query parameters.",
  });
  assert.equal(at(contract, "paths", "/meshtest/orders", "post").summary, "Places an order for an item; the whole request is the body.");
  assert.equal(schema(contract, "common.v1.Money").description, "An amount of money: an integer in the currency's smallest unit, never a float.");
  assert.equal(at(contract, "components", "schemas", "meshtest.v1.Order", "properties", "isPickup").description, "Collected at the counter instead of delivered.");
  assert.equal(schema(contract, "meshtest.v1.OrderStatus").description,
    "Where a sample order stands.\n\n- ORDER_STATUS_PLACED: Accepted, not yet on its way.\n- ORDER_STATUS_CANCELLED: By the customer, before delivery started.");
  const withoutComments = openApiDocument([OrderService], { title: "test", version: "1" });
  assert.equal(schema(withoutComments, "common.v1.Money").description, undefined);
});

test("the document is the same every time, its schemas sorted by name", () => {
  const again = openApiDocument([OrderService, ItemService], { title: "test", version: "1", comments: commentsFrom(image) });
  assert.equal(JSON.stringify(again), JSON.stringify(contract));
  const names = Object.keys(contract.components.schemas);
  assert.deepEqual(names, [...names].sort());
});

test("a service listed twice (by its own entry and a gateway's) is documented once", () => {
  const doc = openApiDocument([OrderService, OrderService], { title: "test", version: "1" });
  assert.deepEqual(doc.tags.map((t) => t.name), ["OrderService"]);
});

// A contract made in the test, with what the test contract's protos do not use.
type Rule = MessageInitShape<typeof HttpRuleSchema>;

function withHttp(rule: Rule): MethodOptions {
  const options = create(MethodOptionsSchema);
  setExtension(options, http, create(HttpRuleSchema, rule));
  return options;
}

const field = (name: string, number: number, type: Type, typeName?: string, label = Label.OPTIONAL) => ({
  name, number, type, typeName, label, jsonName: name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()),
});
const repeated = Label.REPEATED;

const ShelfService: DescService = createFileRegistry(
  create(FileDescriptorProtoSchema, {
    name: "mesh/openapi/v1/shelf.proto",
    package: "mesh.openapi.v1",
    syntax: "proto3",
    dependency: [
      "common/v1/money.proto", "google/protobuf/any.proto", "google/protobuf/duration.proto", "google/protobuf/empty.proto",
      "google/protobuf/struct.proto", "google/protobuf/timestamp.proto", "google/protobuf/wrappers.proto",
    ],
    enumType: [{ name: "Kind", value: [{ name: "KIND_UNSPECIFIED", number: 0 }, { name: "KIND_ROSE", number: 1 }] }],
    messageType: [
      { name: "Filter", field: [field("min_qty", 1, Type.INT32), field("inner", 2, Type.MESSAGE, ".mesh.openapi.v1.Filter")] },
      {
        name: "Item",
        field: [
          field("id", 1, Type.STRING), field("shelf", 2, Type.STRING), field("price", 3, Type.MESSAGE, ".common.v1.Money"),
          field("parts", 4, Type.MESSAGE, ".mesh.openapi.v1.Item", repeated),
        ],
      },
      {
        name: "GetItemRequest",
        field: [
          field("shelf", 1, Type.STRING), field("id", 2, Type.STRING), field("tags", 3, Type.STRING, undefined, repeated),
          field("kind", 4, Type.ENUM, ".mesh.openapi.v1.Kind"), field("filter", 5, Type.MESSAGE, ".mesh.openapi.v1.Filter"),
          field("since", 6, Type.MESSAGE, ".google.protobuf.Timestamp"), field("items", 7, Type.MESSAGE, ".mesh.openapi.v1.Item", repeated),
          field("labels", 8, Type.MESSAGE, ".mesh.openapi.v1.GetItemRequest.LabelsEntry", repeated),
        ],
        nestedType: [{ name: "LabelsEntry", field: [field("key", 1, Type.STRING), field("value", 2, Type.STRING)], options: { mapEntry: true } }],
      },
      { name: "UpdateItemRequest", field: [field("item", 1, Type.MESSAGE, ".mesh.openapi.v1.Item"), field("note", 2, Type.STRING)] },
      { name: "MoveItemRequest", field: [field("name", 1, Type.STRING), field("to", 2, Type.STRING)] },
      { name: "ListItemsResponse", field: [field("items", 1, Type.MESSAGE, ".mesh.openapi.v1.Item", repeated)] },
      {
        name: "Scalars",
        field: [
          field("i32", 1, Type.SINT32), field("u32", 2, Type.FIXED32), field("i64", 3, Type.SFIXED64), field("u64", 4, Type.UINT64),
          field("f", 5, Type.FLOAT), field("d", 6, Type.DOUBLE), field("b", 7, Type.BOOL), field("raw", 8, Type.BYTES),
          field("maybe_count", 9, Type.MESSAGE, ".google.protobuf.Int64Value"), field("maybe_name", 10, Type.MESSAGE, ".google.protobuf.StringValue"),
          field("ttl", 11, Type.MESSAGE, ".google.protobuf.Duration"), field("extra", 12, Type.MESSAGE, ".google.protobuf.Struct"),
          field("any_value", 13, Type.MESSAGE, ".google.protobuf.Value"), field("detail", 14, Type.MESSAGE, ".google.protobuf.Any"),
          field("counts", 15, Type.MESSAGE, ".mesh.openapi.v1.Scalars.CountsEntry", repeated),
        ],
        nestedType: [{ name: "CountsEntry", field: [field("key", 1, Type.INT64), field("value", 2, Type.INT32)], options: { mapEntry: true } }],
      },
    ],
    service: [{
      name: "ShelfService",
      method: [
        {
          name: "GetItem", inputType: ".mesh.openapi.v1.GetItemRequest", outputType: ".mesh.openapi.v1.Item",
          options: withHttp({ pattern: { case: "get", value: "/v1/shelves/{shelf}/items/{id}" }, additionalBindings: [{ pattern: { case: "get", value: "/v1/items/{id}" } }] }),
        },
        {
          name: "UpdateItem", inputType: ".mesh.openapi.v1.UpdateItemRequest", outputType: ".mesh.openapi.v1.Item",
          options: withHttp({
            pattern: { case: "patch", value: "/v1/items/{item.id}" }, body: "item",
            additionalBindings: [
              { pattern: { case: "custom", value: { kind: "LINK", path: "/v1/items/{item.id}" } } },
              { pattern: { case: "put", value: "/v1/shelves/{item.shelf}/items/{item.id}" }, body: "item" },
            ],
          }),
        },
        {
          name: "TagItem", inputType: ".mesh.openapi.v1.UpdateItemRequest", outputType: ".google.protobuf.Empty",
          options: withHttp({ pattern: { case: "post", value: "/v1/items/{item.id}:tag" }, body: "*" }),
        },
        {
          name: "MoveItem", inputType: ".mesh.openapi.v1.MoveItemRequest", outputType: ".mesh.openapi.v1.Item",
          options: withHttp({ pattern: { case: "post", value: "/v1/{name=shelves/*/items/*}:move" }, body: "*" }),
        },
        {
          name: "ListItems", inputType: ".mesh.openapi.v1.GetItemRequest", outputType: ".mesh.openapi.v1.ListItemsResponse",
          options: withHttp({
            pattern: { case: "get", value: "/v1/shelves/{shelf}/items" }, responseBody: "items",
            additionalBindings: [{ pattern: { case: "get", value: "/v1/*/items" } }],
          }),
        },
        {
          name: "GetScalars", inputType: ".google.protobuf.Empty", outputType: ".mesh.openapi.v1.Scalars",
          options: withHttp({ pattern: { case: "get", value: "/v1/scalars" } }),
        },
        { name: "Unannotated", inputType: ".mesh.openapi.v1.GetItemRequest", outputType: ".mesh.openapi.v1.Item" },
      ],
    }],
  }),
  (name) => ({
    "common/v1/money.proto": file_common_v1_money,
    "google/protobuf/any.proto": file_google_protobuf_any,
    "google/protobuf/duration.proto": file_google_protobuf_duration,
    "google/protobuf/empty.proto": file_google_protobuf_empty,
    "google/protobuf/struct.proto": file_google_protobuf_struct,
    "google/protobuf/timestamp.proto": file_google_protobuf_timestamp,
    "google/protobuf/wrappers.proto": file_google_protobuf_wrappers,
  })[name],
).getService("mesh.openapi.v1.ShelfService")!;

const comments = (desc: AnyDesc) => (desc.kind === "rpc" && desc.name === "MoveItem" ? "Moves an item.\n\nTo another shelf,\nwhole." : undefined);
const shelf = openApiDocument([ShelfService], { title: "Shelves", version: "2", description: "Made in the test.", comments });

const operations = (doc: OpenApiDocument) =>
  Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => `${method} ${path} ${(op as JsonObject).operationId}`));

test("one operation per binding; custom methods and anonymous wildcards OpenAPI cannot express are left out", () => {
  assert.deepEqual(operations(shelf), [
    "get /v1/shelves/{shelf}/items/{id} ShelfService_GetItem",
    "get /v1/items/{id} ShelfService_GetItem_2",
    "patch /v1/items/{item.id} ShelfService_UpdateItem",
    "put /v1/shelves/{item.shelf}/items/{item.id} ShelfService_UpdateItem_3",
    "post /v1/items/{item.id}:tag ShelfService_TagItem",
    "post /v1/{name}:move ShelfService_MoveItem",
    "get /v1/shelves/{shelf}/items ShelfService_ListItems",
    "get /v1/scalars ShelfService_GetScalars",
  ]);
  assert.deepEqual(shelf.info, { title: "Shelves", version: "2", description: "Made in the test." });
  assert.equal(shelf.openapi, "3.1.0");
});

test("query parameters: scalars and enums, repeated too, dotted through messages; not well-known types, maps or repeated messages", () => {
  const names = (path: string) => (at(shelf, "paths", path, "get").parameters as JsonObject[]).map((p) => `${p.in}:${p.name}`);
  assert.deepEqual(names("/v1/shelves/{shelf}/items/{id}"), ["path:shelf", "path:id", "query:tags", "query:kind", "query:filter.minQty", "query:filter.inner.minQty"]);
  assert.deepEqual(names("/v1/items/{id}"), ["path:id", "query:shelf", "query:tags", "query:kind", "query:filter.minQty", "query:filter.inner.minQty"]);
  const tags = (at(shelf, "paths", "/v1/items/{id}", "get").parameters as JsonObject[]).find((p) => p.name === "tags");
  assert.deepEqual(tags?.schema, { type: "array", items: { type: "string" } });
});

test("a named body field: its schema is the body, nested path variables are parameters named as in the template", () => {
  const patch = at(shelf, "paths", "/v1/items/{item.id}", "patch");
  assert.deepEqual(patch.requestBody, { required: true, content: { "application/json": { schema: ref("mesh.openapi.v1.Item") } } });
  assert.deepEqual((patch.parameters as JsonObject[]).map((p) => [p.name, p.in, p.required ?? false]), [["item.id", "path", true], ["note", "query", false]]);
});

test("a * body with a nested path variable keeps the message and says which field the path sets", () => {
  const body = at(shelf, "paths", "/v1/items/{item.id}:tag", "post", "requestBody", "content", "application/json", "schema");
  assert.deepEqual(body, {
    type: "object", description: "The path sets `item.id`.",
    properties: { item: ref("mesh.openapi.v1.Item"), note: { type: "string" } },
  });
  assert.deepEqual(at(shelf, "paths", "/v1/items/{item.id}:tag", "post", "responses", "200", "content", "application/json", "schema"), { type: "object" });
});

test("a multi-segment variable is one parameter, its pattern told; the verb stays; the comment is summary and description", () => {
  const move = at(shelf, "paths", "/v1/{name}:move", "post");
  assert.deepEqual(move.parameters, [{ name: "name", in: "path", required: true, description: "Matches `shelves/*/items/*`, its slashes unescaped.", schema: { type: "string" } }]);
  assert.deepEqual(at(shelf, "paths", "/v1/{name}:move", "post", "requestBody", "content", "application/json", "schema", "properties"), { to: { type: "string" } });
  assert.equal(move.summary, "Moves an item.");
  assert.equal(move.description, "To another shelf,\nwhole.");
});

test("response_body: the field is the response", () => {
  assert.deepEqual(at(shelf, "paths", "/v1/shelves/{shelf}/items", "get", "responses", "200", "content", "application/json", "schema"), {
    type: "array", items: ref("mesh.openapi.v1.Item"),
  });
});

test("scalars, well-known types and recursive messages in protobuf JSON", () => {
  assert.deepEqual(schema(shelf, "mesh.openapi.v1.Scalars").properties, {
    i32: { type: "integer", format: "int32" },
    u32: { type: "integer", format: "uint32" },
    i64: { type: "string", format: "int64" },
    u64: { type: "string", format: "uint64" },
    f: { type: "number", format: "float" },
    d: { type: "number", format: "double" },
    b: { type: "boolean" },
    raw: { type: "string", contentEncoding: "base64" },
    maybeCount: { type: ["string", "null"], format: "int64" },
    maybeName: { type: ["string", "null"] },
    ttl: { type: "string", pattern: "^-?[0-9]+(\\.[0-9]{1,9})?s$", examples: ["1.5s"] },
    extra: { type: "object" },
    anyValue: { description: "Any JSON value." },
    detail: at(shelf, "components", "schemas", "google.rpc.Status", "properties", "details", "items"),
    counts: { type: "object", additionalProperties: { type: "integer", format: "int32" } },
  });
  assert.deepEqual(at(shelf, "components", "schemas", "mesh.openapi.v1.Item", "properties", "parts"), { type: "array", items: ref("mesh.openapi.v1.Item") });
});

test("the document of the contract made in the test validates as OpenAPI 3.1", async () => {
  const validator = new Validator();
  assert.deepEqual(await validator.validate(structuredClone(shelf)), { valid: true });
  assert.equal(validator.version, "3.1");
});
