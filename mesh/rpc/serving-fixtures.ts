// Test-only: services, handlers and clients shared by the serving tests of mesh/rpc.
import * as net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { create, createFileRegistry, fromBinary, toBinary, type DescService, type Message } from "@bufbuild/protobuf";
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FileDescriptorProtoSchema,
  file_google_protobuf_descriptor,
} from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import * as grpc from "@grpc/grpc-js";
import { ItemService, file_meshtest_v1_sample, type GetItemRequest } from "../../gen/meshtest/v1/sample_pb.js";
import { currentContext } from "../context/call-context.js";
import { invalidArgument, notFound, refused, unavailable } from "../errors/rpc-errors.js";
import type { Logger } from "../log/logger.js";

/** A proto file made in the test: one service with the three streaming kinds, a nested type, an enum and an extension. */
export const streamFile = createFileRegistry(
  create(FileDescriptorProtoSchema, {
    name: "mesh/test/v1/streams.proto",
    package: "mesh.test.v1",
    syntax: "proto3",
    dependency: ["meshtest/v1/sample.proto", "google/protobuf/descriptor.proto"],
    messageType: [{ name: "Outer", nestedType: [{ name: "Inner" }], enumType: [{ name: "Mood", value: [{ name: "MOOD_UNSPECIFIED", number: 0 }] }] }],
    extension: [{
      name: "test_tag", number: 50123, extendee: ".google.protobuf.MethodOptions", jsonName: "testTag",
      label: FieldDescriptorProto_Label.OPTIONAL, type: FieldDescriptorProto_Type.STRING,
    }],
    service: [{
      name: "StreamService",
      method: [
        { name: "CollectIds", inputType: ".meshtest.v1.GetItemRequest", outputType: ".meshtest.v1.ListItemsResponse", clientStreaming: true },
        { name: "CountTo", inputType: ".meshtest.v1.GetItemRequest", outputType: ".meshtest.v1.GetItemResponse", serverStreaming: true },
        { name: "EchoEach", inputType: ".meshtest.v1.GetItemRequest", outputType: ".meshtest.v1.GetItemResponse", clientStreaming: true, serverStreaming: true },
      ],
    }],
  }),
  (name) => ({ "meshtest/v1/sample.proto": file_meshtest_v1_sample, "google/protobuf/descriptor.proto": file_google_protobuf_descriptor })[name],
);

/** mesh.test.v1.StreamService: CollectIds (client-streaming), CountTo (server-streaming), EchoEach (bidi). */
export const StreamService: DescService = streamFile.getService("mesh.test.v1.StreamService")!;

/** Who is calling, as the handler sees it: "correlationId|traceId". */
export function whoIsCalling(): string {
  const ctx = currentContext();
  return ctx ? `${ctx.correlationId}|${ctx.trace.traceId}` : "no context";
}

/** ItemService handlers whose ids pick a behaviour: missing, bad, refused, down, boom, slow. */
export function itemImpl(logger?: Logger): Partial<ServiceImpl<typeof ItemService>> {
  return {
    async getItem(req, ctx) {
      logger?.info("getting item", { id: req.id });
      switch (req.id) {
        case "missing": throw notFound("item", req.id);
        case "bad": throw invalidArgument({ field: "id", description: "must not be bad" });
        case "refused": throw refused("out of stock", "OUT_OF_STOCK");
        case "down": throw unavailable("store database down", 2000);
        case "boom": throw new Error("kaboom: secret connection string");
        case "slow": await sleep(300); break;
      }
      ctx.responseHeader.set("x-served-by", "store");
      return { item: { id: req.id, name: whoIsCalling(), stock: 3 } };
    },
    listItems() {
      return { items: [{ id: "rose" }, { id: "tulip" }] };
    },
  };
}

/** StreamService handlers: CountTo "n" yields 1..n ("fail" yields one then refuses). */
export function streamImpl(): Record<string, (input: never) => unknown> {
  return {
    async collectIds(requests: AsyncIterable<GetItemRequest>) {
      const items = [];
      for await (const r of requests) items.push({ id: r.id, name: whoIsCalling() });
      return { items };
    },
    async *countTo(req: GetItemRequest) {
      if (req.id === "fail") {
        yield { item: { id: "1" } };
        throw refused("cannot count that far");
      }
      for (let i = 1; i <= Number(req.id); i++) yield { item: { id: String(i), name: whoIsCalling() } };
    },
    async *echoEach(requests: AsyncIterable<GetItemRequest>) {
      for await (const r of requests) yield { item: { id: r.id, name: whoIsCalling() } };
    },
  };
}

export { captureLogs } from "../testing/capture-logs.js";

/** A grpc-js generic client: its methods are untyped, as with any client made from a plain definition. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type GrpcTestClient = grpc.Client & Record<string, (...args: any[]) => any>;

/** A grpc-js client for any protobuf-es service, with protobuf-es (de)serializers, as another team's client would be. */
export function grpcClient(service: DescService, address: string): GrpcTestClient {
  const definition: grpc.ServiceDefinition = Object.fromEntries(service.methods.map((m) => [m.localName, {
    path: `/${service.typeName}/${m.name}`,
    requestStream: m.methodKind === "client_streaming" || m.methodKind === "bidi_streaming",
    responseStream: m.methodKind === "server_streaming" || m.methodKind === "bidi_streaming",
    requestSerialize: (msg: Message) => Buffer.from(toBinary(m.input, create(m.input, msg as never))),
    requestDeserialize: (b: Buffer) => fromBinary(m.input, b),
    responseSerialize: (msg: Message) => Buffer.from(toBinary(m.output, msg)),
    responseDeserialize: (b: Buffer) => fromBinary(m.output, b),
  }]));
  const Client = grpc.makeGenericClientConstructor(definition, service.name);
  return new Client(address, grpc.credentials.createInsecure()) as never;
}

/** Calls a unary method of a grpc-js client and resolves to the response or the ServiceError. */
export function grpcUnary<T = unknown>(client: grpc.Client, method: string, request: object, metadata = new grpc.Metadata()): Promise<T | grpc.ServiceError> {
  return new Promise((resolve) => {
    (client as unknown as Record<string, Function>)[method](request, metadata, (err: grpc.ServiceError | null, res: T) => resolve(err ?? res));
  });
}

export { eventually } from "../testing/eventually.js";

/** Resolves to the error code of a TCP connection attempt to `port` (null when it connected). */
export function connectError(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? "error"));
    socket.on("connect", () => {
      socket.destroy();
      resolve(null);
    });
  });
}

export { sampleValue } from "../testing/metric-samples.js";
