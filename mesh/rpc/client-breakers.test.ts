// What a caller's breaker counts, against a real mesh server (the handler chain, the grpc-js
// adapter and the Connect unary path every service runs), over both client protocols: the
// server's own answers never, failures on the wire always, and each method on its own.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Code, ConnectError } from "@connectrpc/connect";
import { ItemService } from "../../gen/meshtest/v1/sample_pb.js";
import { RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { wasAnswered } from "../errors/wire-failure.js";
import { createLogger } from "../log/logger.js";
import { createMetrics } from "../telemetry/metrics.js";
import { createClient } from "./client.js";
import { createReadiness } from "./readiness.js";
import { createResiliencePolicy, type ResilienceOptions } from "./resilience.js";
import { createRpcServer } from "./rpc-server.js";
import { itemImpl } from "./serving-fixtures.js";
import { clientProtocols, type ClientProtocol } from "./transport.js";

const getItem = "/meshtest.v1.ItemService/GetItem";
const listItems = "/meshtest.v1.ItemService/ListItems";

// A mesh server for ItemService on both ports; `served` counts the calls it answered, by method and code.
async function startItemServer(protocol: ClientProtocol, ports = { grpcPort: 0, httpPort: 0 }) {
  const logger = createLogger({ service: "store", level: "error", write: () => {} });
  const metrics = createMetrics("store", { processMetrics: false });
  const readiness = createReadiness(["started"]);
  readiness.mark("started", true);
  const server = createRpcServer({ services: [{ service: ItemService, impl: itemImpl() as never }], logger, metrics, readiness, host: "127.0.0.1", ...ports });
  const bound = await server.start();
  const served = async (method: string, code: string) =>
    (await metrics.rpcRequests.get()).values.find((v) => v.labels.method === method && v.labels.code === code)?.value ?? 0;
  return { ports: bound, port: protocol === "grpc" ? bound.grpcPort : bound.httpPort, served, stop: () => server.stop(0) };
}

function setup(protocol: ClientProtocol, port: number, overrides: Partial<ResilienceOptions> = {}, channelOptions = {}) {
  const logger = createLogger({ service: "test", level: "error" });
  const metrics = createMetrics("test", { processMetrics: false });
  const policy = createResiliencePolicy({ dependency: "store", logger, metrics, timeoutMs: 1000, retryDelayMs: 5, ...overrides });
  const client = createClient(ItemService, { dependency: "store", address: `127.0.0.1:${port}`, protocol, policy, logger, metrics, channelOptions });
  return { client, policy };
}

// The fallback a pass-through caller (the gateway) states: an error the dependency answered goes on as it is.
const passOn = (error: ConnectError): never => {
  throw error;
};

for (const protocol of clientProtocols) {
  describe(`client breakers against a live mesh server (${protocol})`, () => {
    let store: Awaited<ReturnType<typeof startItemServer>>;
    before(async () => (store = await startItemServer(protocol)));
    after(() => store.stop());

    test("the server's own Unavailable (with its retry hint) and Internal are its answers: passed on unchanged, never retried, never counted", async () => {
      const { client, policy } = setup(protocol, store.port, { breakerThreshold: 2, retries: 2 });
      try {
        for (let i = 0; i < 5; i++) {
          const down = await client.getItem({ id: "down" }, { fallback: passOn }).catch((e: unknown) => e);
          assert.ok(down instanceof ConnectError && wasAnswered(down));
          assert.deepEqual([down.code, down.rawMessage], [Code.Unavailable, "store database down"]);
          assert.equal(down.findDetails(RetryInfoSchema)[0]?.retryDelay?.seconds, 2n);
          const boom = await client.getItem({ id: "boom" }, { fallback: passOn }).catch((e: unknown) => e);
          assert.ok(boom instanceof ConnectError && wasAnswered(boom));
          assert.deepEqual([boom.code, boom.rawMessage], [Code.Internal, "internal error"]);
        }
        assert.equal(await store.served(getItem, "Unavailable"), 5, "an idempotent call the server answered Unavailable is not retried");
        assert.equal(policy.breakerState(getItem), "closed");
        assert.equal((await client.getItem({ id: "rose" }, { fallback: passOn })).item?.id, "rose");
      } finally {
        client.close();
      }
    });

    test("our own timeout counts, for that method only: another method of the same service keeps answering", async () => {
      const { client, policy } = setup(protocol, store.port, { breakerThreshold: 2, halfOpenAfterMs: 60_000 });
      try {
        const codes: Code[] = [];
        const fallback = (e: ConnectError) => (codes.push(e.code), { item: undefined } as never);
        for (let i = 0; i < 3; i++) await client.getItem({ id: "slow" }, { timeoutMs: 50, fallback });
        assert.deepEqual(codes, [Code.DeadlineExceeded, Code.DeadlineExceeded, Code.Unavailable]);
        assert.equal(policy.breakerState(getItem), "open");
        for (let i = 0; i < 5; i++) assert.equal((await client.listItems({}, { fallback: passOn })).items.length, 2);
        assert.equal(policy.breakerState(listItems), "closed");
      } finally {
        client.close();
      }
    });
  });

  describe(`client breakers when the dependency comes back (${protocol})`, () => {
    test("the first half-open probe after the server is back closes the breaker, though the channel is still in reconnect backoff", async () => {
      let store = await startItemServer(protocol);
      const port = store.port;
      // A long reconnect backoff: a probe that failed fast on the stale channel would reopen the breaker.
      const { client, policy } = setup(protocol, port, { breakerThreshold: 2, halfOpenAfterMs: 300, timeoutMs: 2500 }, {
        "grpc.initial_reconnect_backoff_ms": 1000, "grpc.max_reconnect_backoff_ms": 1000,
      });
      const offline = () => ({ item: { id: "offline" } }) as never;
      try {
        assert.equal((await client.getItem({ id: "rose" }, { fallback: passOn })).item?.id, "rose");
        await store.stop();
        for (let i = 0; i < 2; i++) assert.equal((await client.getItem({ id: "rose" }, { fallback: offline })).item?.id, "offline");
        assert.equal(policy.breakerState(getItem), "open");

        store = await startItemServer(protocol, store.ports);
        await sleep(350);
        const probe = await client.getItem({ id: "rose" }, { fallback: offline });
        assert.equal(probe.item?.id, "rose", "the probe waited for the connection instead of failing on the old one");
        assert.equal(policy.breakerState(getItem), "closed");
      } finally {
        client.close();
        await store.stop();
      }
    });
  });
}
