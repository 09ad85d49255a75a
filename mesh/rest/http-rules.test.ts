import assert from "node:assert/strict";
import { test } from "node:test";
import { create, createFileRegistry, setExtension, type MessageInitShape } from "@bufbuild/protobuf";
import { FieldDescriptorProto_Label as Label, FieldDescriptorProto_Type as Type, FileDescriptorProtoSchema, MethodOptionsSchema } from "@bufbuild/protobuf/wkt";
import { http } from "../../gen/google/api/annotations_pb.js";
import { HttpRuleSchema } from "../../gen/google/api/http_pb.js";
import { OrderService } from "../../gen/meshtest/v1/sample_pb.js";
import { httpBindings } from "./http-rules.js";

// One service with one method annotated by `rule`; `streaming` makes it server-streaming.
function serviceWith(rule: MessageInitShape<typeof HttpRuleSchema>, streaming = false) {
  const options = create(MethodOptionsSchema);
  setExtension(options, http, create(HttpRuleSchema, rule));
  const field = (name: string, number: number, type: Type, typeName?: string) => ({ name, number, type, typeName, jsonName: name, label: Label.OPTIONAL });
  return createFileRegistry(create(FileDescriptorProtoSchema, {
    name: "t.proto", package: "t", syntax: "proto3",
    messageType: [
      { name: "Inner", field: [field("x", 1, Type.STRING)] },
      { name: "Req", field: [field("id", 1, Type.STRING), field("inner", 2, Type.MESSAGE, ".t.Inner")] },
    ],
    service: [{ name: "S", method: [{ name: "M", inputType: ".t.Req", outputType: ".t.Req", serverStreaming: streaming, options }] }],
  }), () => undefined).getService("t.S")!;
}

test("reads every binding of the contract, with the fields its path variables and body fill", () => {
  const byMethod = new Map(httpBindings([OrderService]).map((b) => [b.method.name, b]));
  const cancel = byMethod.get("CancelOrder")!;
  assert.deepEqual([cancel.httpMethod, cancel.template.source, cancel.body], ["PUT", "/meshtest/orders/{id}/cancel", "*"]);
  assert.deepEqual(cancel.pathFields.map((chain) => chain.map((f) => f.name)), [["id"]]);
  assert.equal(byMethod.get("ListOrders")!.body, undefined);
});

test("an annotation that cannot be served is refused at start, naming the method and the reason", () => {
  const refused = (rule: MessageInitShape<typeof HttpRuleSchema>, why: RegExp, streaming = false) =>
    assert.throws(() => httpBindings([serviceWith(rule, streaming)]), (e: Error) => /^google.api.http of t.S.M: /.test(e.message) && why.test(e.message));
  refused({ pattern: { case: "get", value: "/r/{nope}" } }, /path variable nope: no field "nope" in t.Req/);
  refused({ pattern: { case: "get", value: "/r/{inner}" } }, /must be a singular scalar or enum field/);
  refused({ pattern: { case: "post", value: "/r" }, body: "missing" }, /body "missing" is not a field of t.Req/);
  refused({ pattern: { case: "get", value: "/r" }, responseBody: "missing" }, /response_body "missing" is not a field of t.Req/);
  refused({ pattern: { case: "get", value: "r" } }, /must start with \//);
  refused({ body: "*" }, /names no HTTP method/);
  refused({ pattern: { case: "get", value: "/r" } }, /only unary methods/, true);
  assert.equal(httpBindings([serviceWith({ pattern: { case: "get", value: "/r/{inner.x}" } })])[0].pathFields[0].length, 2, "a nested scalar is fine");
});
