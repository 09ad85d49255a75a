import assert from "node:assert/strict";
import { test } from "node:test";
import { create, fromBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { Code, createHandlerContext } from "@connectrpc/connect";
import { ItemService } from "../../gen/meshtest/v1/sample_pb.js";
import {
  ServerReflection,
  ServerReflectionRequestSchema,
  type ServerReflectionResponse,
} from "../../gen/grpc/reflection/v1/reflection_pb.js";
import * as v1alpha from "../../gen/grpc/reflection/v1alpha/reflection_pb.js";
import { createReflection, createReflectionV1Alpha } from "./reflection.js";
import { StreamService } from "./serving-fixtures.js";

type Request = MessageInitShape<typeof ServerReflectionRequestSchema>["messageRequest"];

async function ask(...requests: Request[]): Promise<ServerReflectionResponse[]> {
  const impl = createReflection([ItemService, StreamService, ServerReflection]);
  const ctx = createHandlerContext({ service: ServerReflection, method: ServerReflection.methods[0], protocolName: "grpc", requestMethod: "POST", url: "/" });
  async function* input() {
    for (const messageRequest of requests) yield create(ServerReflectionRequestSchema, { host: "h", messageRequest });
  }
  const out: ServerReflectionResponse[] = [];
  for await (const r of impl.serverReflectionInfo(input(), ctx)) out.push(r as ServerReflectionResponse);
  return out;
}

function fileNames(r: ServerReflectionResponse): string[] {
  assert.equal(r.messageResponse.case, "fileDescriptorResponse");
  return r.messageResponse.value.fileDescriptorProto.map((b) => fromBinary(FileDescriptorProtoSchema, b).name);
}

function firstFile(r: ServerReflectionResponse): string {
  return fileNames(r)[0];
}

test("answers every request of the stream, echoing host and request", async () => {
  const replies = await ask({ case: "listServices", value: "" }, { case: "fileByFilename", value: "meshtest/v1/sample.proto" });
  assert.equal(replies.length, 2);
  assert.equal(replies[0].validHost, "h");
  assert.equal(replies[1].originalRequest?.messageRequest.case, "fileByFilename");
  assert.equal(replies[0].messageResponse.case, "listServicesResponse");
  assert.deepEqual(replies[0].messageResponse.value?.service.map((s) => s.name), [
    "meshtest.v1.ItemService", "mesh.test.v1.StreamService", "grpc.reflection.v1.ServerReflection",
  ]);
});

test("a file comes with its transitive dependencies, each once", async () => {
  const [r] = await ask({ case: "fileByFilename", value: "mesh/test/v1/streams.proto" });
  assert.deepEqual(fileNames(r).sort(), [
    "common/v1/money.proto", "google/api/annotations.proto", "google/api/http.proto", "google/protobuf/descriptor.proto",
    "google/protobuf/timestamp.proto", "mesh/test/v1/streams.proto", "meshtest/v1/sample.proto",
  ]);
  assert.equal(fileNames(r)[0], "mesh/test/v1/streams.proto");
});

test("finds the file of services, methods, messages, nested types, fields, enums and enum values", async () => {
  const symbols = [
    "meshtest.v1.ItemService", "meshtest.v1.ItemService.GetItem", "meshtest.v1.Item", "meshtest.v1.Item.price",
    "meshtest.v1.OrderStatus", "meshtest.v1.ORDER_STATUS_DELIVERED", "mesh.test.v1.Outer.Inner", "mesh.test.v1.Outer.Mood",
    "mesh.test.v1.Outer.MOOD_UNSPECIFIED", "mesh.test.v1.test_tag", "common.v1.Money", "google.protobuf.Timestamp",
  ];
  const replies = await ask(...symbols.map((value): Request => ({ case: "fileContainingSymbol", value })));
  assert.deepEqual(replies.map(firstFile), [
    "meshtest/v1/sample.proto", "meshtest/v1/sample.proto", "meshtest/v1/sample.proto", "meshtest/v1/sample.proto",
    "meshtest/v1/sample.proto", "meshtest/v1/sample.proto", "mesh/test/v1/streams.proto", "mesh/test/v1/streams.proto",
    "mesh/test/v1/streams.proto", "mesh/test/v1/streams.proto", "common/v1/money.proto", "google/protobuf/timestamp.proto",
  ]);
});

test("extensions: by extendee and number, and all numbers of a type", async () => {
  const [ours, http, all, unknownType] = await ask(
    { case: "fileContainingExtension", value: { containingType: "google.protobuf.MethodOptions", extensionNumber: 50123 } },
    { case: "fileContainingExtension", value: { containingType: "google.protobuf.MethodOptions", extensionNumber: 72295728 } },
    { case: "allExtensionNumbersOfType", value: "google.protobuf.MethodOptions" },
    { case: "allExtensionNumbersOfType", value: "no.Such" },
  );
  assert.equal(firstFile(ours), "mesh/test/v1/streams.proto");
  assert.equal(firstFile(http), "google/api/annotations.proto");
  assert.equal(all.messageResponse.case, "allExtensionNumbersResponse");
  assert.deepEqual(all.messageResponse.value?.extensionNumber, [50123, 72295728]);
  assert.equal(unknownType.messageResponse.case, "errorResponse");
});

test("unknown names answer NOT_FOUND in the stream, which goes on", async () => {
  const replies = await ask(
    { case: "fileContainingSymbol", value: "no.Such" },
    { case: "fileByFilename", value: "no/such.proto" },
    { case: "fileContainingExtension", value: { containingType: "meshtest.v1.Item", extensionNumber: 1 } },
    { case: "listServices", value: "" },
  );
  for (const r of replies.slice(0, 3)) {
    assert.equal(r.messageResponse.case, "errorResponse");
    assert.equal(r.messageResponse.value.errorCode, Code.NotFound);
  }
  assert.equal(replies[3].messageResponse.case, "listServicesResponse");
});

test("v1alpha answers in its own messages, as v1 does", async () => {
  const impl = createReflectionV1Alpha([ItemService, v1alpha.ServerReflection]);
  const method = v1alpha.ServerReflection.methods[0];
  const ctx = createHandlerContext({ service: v1alpha.ServerReflection, method, protocolName: "grpc", requestMethod: "POST", url: "/" });
  async function* input() {
    yield create(v1alpha.ServerReflectionRequestSchema, { host: "h", messageRequest: { case: "listServices", value: "" } });
    yield create(v1alpha.ServerReflectionRequestSchema, { messageRequest: { case: "fileContainingSymbol", value: "meshtest.v1.ItemService.GetItem" } });
  }
  const replies: v1alpha.ServerReflectionResponse[] = [];
  for await (const r of impl.serverReflectionInfo(input(), ctx)) replies.push(r as v1alpha.ServerReflectionResponse);
  const [list, file] = replies;
  assert.equal(list.$typeName, "grpc.reflection.v1alpha.ServerReflectionResponse");
  assert.equal(list.validHost, "h");
  assert.equal(list.originalRequest?.$typeName, "grpc.reflection.v1alpha.ServerReflectionRequest");
  assert.equal(list.messageResponse.case, "listServicesResponse");
  assert.deepEqual(list.messageResponse.value.service.map((s) => s.name), ["meshtest.v1.ItemService", "grpc.reflection.v1alpha.ServerReflection"]);
  assert.equal(file.messageResponse.case, "fileDescriptorResponse");
  assert.equal(fromBinary(FileDescriptorProtoSchema, file.messageResponse.value.fileDescriptorProto[0]).name, "meshtest/v1/sample.proto");
});
