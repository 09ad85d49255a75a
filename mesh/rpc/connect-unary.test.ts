// The Connect unary path on the wire, as services call each other: what a raw HTTP/1.1 caller
// sees (status, JSON error, the answered mark), and what the mesh client makes of a server, a
// proxy's page, a refused connection and a connection cut under the call.
import assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { toBinary, create } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import { GetItemRequestSchema, ItemService } from "../../gen/meshtest/v1/sample_pb.js";
import { BadRequestSchema, RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { wasAnswered } from "../errors/wire-failure.js";
import { createLogger } from "../log/logger.js";
import { createMetrics } from "../telemetry/metrics.js";
import { createClient } from "./client.js";
import { wasNeverSent } from "./never-sent.js";
import { grpcStatusFromError } from "./grpc-status.js";
import { createReadiness } from "./readiness.js";
import { createResiliencePolicy } from "./resilience.js";
import { createRpcServer, type RpcServer } from "./rpc-server.js";
import { itemImpl } from "./serving-fixtures.js";
import { eventually } from "../testing/eventually.js";
import { setTimeout as sleep } from "node:timers/promises";

const silent = createLogger({ service: "test", level: "error", write: () => {} });
let server: RpcServer;
let httpPort: number;

before(async () => {
  const readiness = createReadiness(["started"]);
  readiness.mark("started", true);
  server = createRpcServer({
    services: [{ service: ItemService, impl: itemImpl() as never }],
    logger: silent, metrics: createMetrics("store", { processMetrics: false }), readiness, host: "127.0.0.1", grpcPort: 0, httpPort: 0,
  });
  ({ httpPort } = await server.start());
});
after(() => server.stop(1000));

async function post(path: string, body: Uint8Array, headers: Record<string, string> = {}) {
  const res = await fetch(`http://127.0.0.1:${httpPort}${path}`, {
    method: "POST", body: Buffer.from(body), headers: { "content-type": "application/proto", "connect-protocol-version": "1", ...headers },
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const getItem = "/meshtest.v1.ItemService/GetItem";
const request = (id: string) => toBinary(GetItemRequestSchema, create(GetItemRequestSchema, { id }));

describe("Connect unary with a binary body, on the wire", () => {
  test("a body that is not protobuf is the caller's fault: 400 invalid_argument, naming it", async () => {
    for (const body of [Uint8Array.of(0xff, 0xff, 0xff), Uint8Array.of(0x0a, 0x03, 0xc3, 0x28, 0x41)]) {
      const res = await post(getItem, body);
      assert.equal(res.status, 400, res.text);
      const error = JSON.parse(res.text) as { code: string; message: string };
      assert.equal(error.code, "invalid_argument");
      assert.match(error.message, /not valid protobuf/);
    }
  });

  test("a status the server chose carries its HTTP status, its details and the answered mark", async () => {
    const down = await post(getItem, request("down"));
    assert.equal(down.status, 503);
    assert.equal(down.headers.get("x-mesh-answered"), "1");
    assert.equal((JSON.parse(down.text) as { code: string }).code, "unavailable");
    const bad = await post(getItem, request("bad"));
    assert.equal(bad.status, 400);
    assert.equal((JSON.parse(bad.text) as { details: Array<{ type: string }> }).details[0].type, "google.rpc.BadRequest");
  });

  test("past connect-timeout-ms the caller hears deadline_exceeded at once, without waiting for the handler", async () => {
    const started = Date.now();
    const slow = await post(getItem, request("slow"), { "connect-timeout-ms": "30" });
    assert.equal(slow.status, 504);
    assert.equal((JSON.parse(slow.text) as { code: string }).code, "deadline_exceeded");
    assert.ok(Date.now() - started < 290, "answered before the 300 ms handler finished");
  });

  test("a handler that first reads its signal after the deadline or after the caller left finds it aborted; one that finishes, not", async () => {
    const seen = new Map<string, { aborted: boolean; reason: unknown }>();
    const readiness = createReadiness(["started"]);
    readiness.mark("started", true);
    const late = createRpcServer({
      services: [{ service: ItemService, impl: { async getItem(req: { id: string }, ctx: HandlerContext) {
        await sleep(req.id === "quick" ? 0 : 150);
        seen.set(req.id, { aborted: ctx.signal.aborted, reason: ctx.signal.reason });
        return { item: { id: req.id } };
      } } as never }],
      logger: silent, metrics: createMetrics("late", { processMetrics: false }), readiness, host: "127.0.0.1", grpcPort: 0, httpPort: 0,
    });
    const { httpPort: port } = await late.start();
    const call = (id: string, headers: Record<string, string>, signal?: AbortSignal) => fetch(`http://127.0.0.1:${port}${getItem}`, {
      method: "POST", body: Buffer.from(request(id)), headers: { "content-type": "application/proto", "connect-protocol-version": "1", ...headers }, signal,
    });
    try {
      assert.equal((await call("past-deadline", { "connect-timeout-ms": "30" })).status, 504);
      const leaving = new AbortController();
      const left = call("caller-left", {}, leaving.signal).catch(() => "gone");
      await sleep(30);
      leaving.abort();
      assert.equal(await left, "gone");
      assert.equal((await call("quick", {})).status, 200);
      await eventually("both slow handlers to read their signal", () => seen.has("past-deadline") && seen.has("caller-left"));
      assert.equal(seen.get("quick")?.aborted, false);
      assert.equal(seen.get("past-deadline")?.aborted, true);
      assert.equal(ConnectError.from(seen.get("past-deadline")!.reason).code, Code.DeadlineExceeded);
      assert.equal(seen.get("caller-left")?.aborted, true);
      assert.equal(ConnectError.from(seen.get("caller-left")!.reason).code, Code.Canceled);
    } finally {
      await late.stop(1000);
    }
  });

  test("what this path does not take goes to the full protocol: JSON, an unknown method, a bad timeout", async () => {
    const json = await fetch(`http://127.0.0.1:${httpPort}${getItem}`, { method: "POST", body: '{"id":"rose"}', headers: { "content-type": "application/json" } });
    assert.equal(json.status, 200);
    assert.equal(((await json.json()) as { item: { id: string } }).item.id, "rose");
    assert.equal((await post("/meshtest.v1.ItemService/NoSuch", request("rose"))).status, 404);
    const badTimeout = await post(getItem, request("rose"), { "connect-timeout-ms": "soon" });
    assert.ok(badTimeout.status >= 400 && badTimeout.status < 500, `status ${badTimeout.status}`);
  });
});

describe("the mesh client over Connect, when the way fails", () => {
  const passOn = (error: ConnectError): never => {
    throw error;
  };
  const failureOf = (call: Promise<unknown>) => call.then(() => assert.fail("the call succeeded"), (e: unknown) => ConnectError.from(e));
  function setup(port: number) {
    const metrics = createMetrics("caller", { processMetrics: false });
    const policy = createResiliencePolicy({ dependency: "store", logger: silent, metrics, timeoutMs: 500, retries: 0, breakerThreshold: 2, halfOpenAfterMs: 60_000 });
    const client = createClient(ItemService, { dependency: "store", address: `127.0.0.1:${port}`, protocol: "connect", policy, logger: silent, metrics });
    return { client, policy };
  }
  async function fakeServer(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
    const fake = http.createServer(answer);
    await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve));
    return { port: (fake.address() as AddressInfo).port, close: () => new Promise((resolve) => fake.close(resolve)) };
  }

  test("the server's own Unavailable keeps its retry hint and is its answer; a proxy's 503 page is a wire failure", async () => {
    const { client, policy } = setup(httpPort);
    const down = await failureOf(client.getItem({ id: "down" }, { fallback: passOn }));
    assert.ok(wasAnswered(down));
    assert.equal(down.findDetails(RetryInfoSchema)[0]?.retryDelay?.seconds, 2n);
    const bad = await failureOf(client.getItem({ id: "bad" }, { fallback: passOn }));
    assert.deepEqual([bad.code, bad.findDetails(BadRequestSchema)[0]?.fieldViolations[0]?.field], [Code.InvalidArgument, "id"]);
    // Passed on by a caller (as its own answer, on HTTP/2 too), an error carries only what the server meant.
    for (const name of ["connection", "keep-alive", "content-length", "content-type", "date"]) assert.equal(bad.metadata.get(name), null, name);
    const trailers = grpcStatusFromError(new ConnectError("x", Code.NotFound, { "keep-alive": "timeout=5", connection: "keep-alive", "x-kept": "1" })).metadata!;
    assert.deepEqual([trailers.get("keep-alive"), trailers.get("connection"), trailers.get("x-kept")], [[], [], ["1"]]);
    assert.equal(policy.breakerState(), "closed");
    client.close();

    const proxy = await fakeServer((req, res) => {
      req.resume();
      res.writeHead(503, { "content-type": "text/plain" }).end("no healthy upstream");
    });
    const behind = setup(proxy.port);
    try {
      for (let i = 0; i < 2; i++) {
        const error = await failureOf(behind.client.getItem({ id: "rose" }, { fallback: passOn }));
        assert.deepEqual([error.code, wasAnswered(error), wasNeverSent(error)], [Code.Unavailable, false, false]);
      }
      assert.equal(behind.policy.breakerState(), "open", "the proxy's 503s count");
    } finally {
      behind.client.close();
      await proxy.close();
    }
  });

  test("a refused connection never left this process; a connection cut under the call may have had an effect", async () => {
    const gone = await fakeServer(() => undefined);
    await gone.close();
    const nowhere = setup(gone.port);
    const refused = await failureOf(nowhere.client.getItem({ id: "rose" }, { fallback: passOn }));
    assert.deepEqual([refused.code, wasNeverSent(refused)], [Code.Unavailable, true]);
    nowhere.client.close();

    const cutter = await fakeServer((req) => req.socket.destroy());
    const cut = setup(cutter.port);
    try {
      const error = await failureOf(cut.client.getItem({ id: "rose" }, { fallback: passOn }));
      assert.deepEqual([error.code, wasNeverSent(error), wasAnswered(error)], [Code.Unavailable, false, false]);
    } finally {
      cut.client.close();
      await cutter.close();
    }
  });

  test("an attempt past its timeout is DeadlineExceeded; a caller's abort is Canceled", async () => {
    const { client } = setup(httpPort);
    try {
      const slow = await failureOf(client.getItem({ id: "slow" }, { timeoutMs: 50, fallback: passOn }));
      assert.equal(slow.code, Code.DeadlineExceeded);
      const abort = new AbortController();
      const call = failureOf(client.getItem({ id: "slow" }, { signal: abort.signal, fallback: passOn }));
      abort.abort();
      assert.equal((await call).code, Code.Canceled);
      assert.equal((await client.getItem({ id: "rose" }, { fallback: passOn })).item?.id, "rose", "the pool is fine afterwards");
    } finally {
      client.close();
    }
  });
});
