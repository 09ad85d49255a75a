// Requests that are the caller's fault, sent as raw HTTP/2 frames to both ports: every one is
// INVALID_ARGUMENT (400 on Connect), never INTERNAL, which breakers and Istio count as the server failing.
import assert from "node:assert/strict";
import * as http2 from "node:http2";
import { gzipSync } from "node:zlib";
import { after, before, test } from "node:test";
import { ItemService } from "../../gen/meshtest/v1/sample_pb.js";
import { createMetrics } from "../telemetry/metrics.js";
import { createReadiness } from "./readiness.js";
import { createRpcServer, type RpcServer, type RpcServerPorts } from "./rpc-server.js";
import { captureLogs, itemImpl, StreamService, streamImpl } from "./serving-fixtures.js";

const { logger, lines } = captureLogs("store");
let server: RpcServer;
let ports: RpcServerPorts;

before(async () => {
  server = createRpcServer({
    services: [{ service: ItemService, impl: itemImpl(logger) as never }, { service: StreamService, impl: streamImpl() as never }],
    logger, metrics: createMetrics("store", { processMetrics: false }), readiness: createReadiness([]), host: "127.0.0.1", grpcPort: 0, httpPort: 0,
  });
  ports = await server.start();
});
after(() => server.stop(1000));

interface Answer { status: number; headers: Record<string, string>; body: Buffer }

function send(port: number, path: string, headers: Record<string, string>, body: Buffer): Promise<Answer> {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  return new Promise((resolve, reject) => {
    const req = session.request({ ":method": "POST", ":path": path, ...headers });
    const answer: Answer = { status: 0, headers: {}, body: Buffer.alloc(0) };
    req.on("response", (h) => Object.assign(answer, { status: Number(h[":status"]), headers: { ...h } }));
    req.on("trailers", (t) => Object.assign(answer.headers, t));
    req.on("data", (d: Buffer) => (answer.body = Buffer.concat([answer.body, d])));
    req.on("close", () => (session.close(), resolve(answer)));
    req.on("error", (e) => (session.close(), reject(e)));
    req.end(body);
  });
}

function frame(payload: Buffer, flag = 0, length = payload.length): Buffer {
  const head = Buffer.alloc(5);
  head[0] = flag;
  head.writeUInt32BE(length, 1);
  return Buffer.concat([head, payload]);
}

const getItem = "/meshtest.v1.ItemService/GetItem";
const grpc = { "content-type": "application/grpc", te: "trailers" };
const garbage = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]);
const notUtf8 = Buffer.from([0x0a, 0x02, 0xc3, 0x28]); // id: two bytes that are not UTF-8

test("gRPC, on both ports: a message that is not protobuf, not UTF-8 or not gzip, or a bad grpc-timeout, is INVALID_ARGUMENT", async () => {
  const cases: Array<[string, Record<string, string>, Buffer]> = [
    ["garbage", grpc, frame(garbage)],
    ["a string that is not UTF-8", grpc, frame(notUtf8)],
    ["flagged compressed, no encoding", grpc, frame(Buffer.from([0x0a, 0x01, 0x61]), 1)],
    ["gzip that is not", { ...grpc, "grpc-encoding": "gzip" }, frame(Buffer.from([0x0a, 0x01, 0x61]), 1)],
    ["gzip of garbage", { ...grpc, "grpc-encoding": "gzip" }, frame(gzipSync(garbage), 1)],
    ["cut short", grpc, frame(Buffer.from([0x0a, 0x02]), 0, 10).subarray(0, 8)],
    ["a timeout that is none", { ...grpc, "grpc-timeout": "soon" }, frame(Buffer.from([0x0a, 0x01, 0x61]))],
  ];
  for (const port of [ports.grpcPort, ports.httpPort]) {
    for (const [name, headers, body] of cases) {
      const answer = await send(port, getItem, headers, body);
      const status = answer.headers["grpc-status"];
      // Cut short is a cardinality violation to grpc-js (UNIMPLEMENTED, as the gRPC spec says); grpc-js
      // reads a message flagged compressed without an encoding as it is.
      const allowed = name === "cut short" ? ["3", "12"] : name === "flagged compressed, no encoding" && port === ports.grpcPort ? ["0", "3"] : ["3"];
      assert.ok(allowed.includes(status), `port ${port === ports.grpcPort ? "gRPC" : "HTTP"}, ${name}: grpc-status ${status} ${decodeURIComponent(answer.headers["grpc-message"] ?? "")}`);
    }
  }
  const named = await send(ports.grpcPort, getItem, grpc, frame(notUtf8));
  assert.match(decodeURIComponent(named.headers["grpc-message"]), /^the request is not a valid meshtest\.v1\.GetItemRequest: /);
  assert.ok(!lines.some((l) => l.level === "error"), "nothing logged as a server failure");
});

test("gRPC client streaming: a malformed message in the stream fails the call with INVALID_ARGUMENT", async () => {
  const stream = Buffer.concat([frame(Buffer.from([0x0a, 0x01, 0x61])), frame(notUtf8)]);
  const answer = await send(ports.grpcPort, "/mesh.test.v1.StreamService/CollectIds", grpc, stream);
  assert.equal(answer.headers["grpc-status"], "3");
});

test("gRPC-Web and Connect: garbage protobuf is INVALID_ARGUMENT (400), JSON that is not UTF-8 or has an unknown field too", async () => {
  const web = await send(ports.httpPort, getItem, { "content-type": "application/grpc-web+proto" }, frame(garbage));
  assert.match(web.body.toString("latin1"), /grpc-status: 3/);

  const connect = (type: string, body: Buffer) => send(ports.httpPort, getItem, { "content-type": type }, body);
  for (const [type, body] of [["application/proto", garbage], ["application/proto", notUtf8], ["application/json", Buffer.from([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d])], ["application/json", Buffer.from('{"id":"x","colour":"red"}')]] as const) {
    const answer = await connect(type, body);
    assert.equal(answer.status, 400, `${type} ${body.toString("latin1")}: ${answer.body}`);
    assert.equal(JSON.parse(answer.body.toString()).code, "invalid_argument");
  }
  const cutGzip = await send(ports.httpPort, getItem, { "content-type": "application/json", "content-encoding": "gzip" }, gzipSync('{"id":"x"}').subarray(0, 12));
  assert.equal(cutGzip.status, 400, `gzip cut short: ${cutGzip.body}`);
  const ok = await connect("application/json", Buffer.from('{"id":"x"}'));
  assert.equal(ok.status, 200);
});

test("ids that gRPC metadata would refuse are replaced on both ports; grpc-js's own complaint is logged escaped", async () => {
  for (const port of [ports.grpcPort, ports.httpPort]) {
    const answer = await send(port, getItem, { ...grpc, "x-correlation-id": "a\tb", "x-causation-id": "c".repeat(300), traceparent: "00-zz" }, frame(Buffer.from([0x0a, 0x01, 0x61])));
    assert.equal(answer.headers["grpc-status"], "0");
    assert.match(answer.headers["x-correlation-id"], /^[0-9a-f-]{36}$/);
  }
  const complaint = lines.find((l) => l.msg === "grpc-js");
  assert.ok(complaint, "grpc-js dropped the tab id and said so");
  assert.ok(!String(complaint.detail).includes("\t"));
  assert.ok(lines.some((l) => l.msg === "replaced an unusable x-causation-id"));
});
