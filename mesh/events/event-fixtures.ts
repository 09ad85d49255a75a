import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, connect as tcpConnect, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { connect, type JetStreamManager, type NatsConnection } from "nats";
import { startNatsServer } from "../launcher/ensure-nats.js";
import { freePort } from "../testing/free-port.js";
import { namespaceStreams } from "../testing/test-namespace.js";
import { ChargeApprovedSchema, OrderCancelledSchema, OrderPackedSchema, OrderPlacedSchema, OrderRejectedSchema } from "../../gen/meshtest/v1/events_pb.js";
import { createMetrics } from "../telemetry/metrics.js";
import { defineEvent } from "./event-type.js";
import { ensureStreams } from "./streams.js";

// Test support, not runtime API: a random event namespace on the real NATS per test file,
// polling instead of timing, captured logs, and a TCP proxy to cut NATS off and back.

/** NATS the tests use (TEST_NATS_URL, default the local server). */
export const testNatsUrl = process.env.TEST_NATS_URL ?? "nats://127.0.0.1:4222";

/**
 * The test contract's events (proto/meshtest/v1/events.proto), each keyed by its order: three of
 * the sample system's order context, one of another of its contexts, and one that another system
 * (billing) publishes on its own stream.
 */
export const testEvents = {
  orderPlaced: defineEvent("sample.order", OrderPlacedSchema, (e) => e.orderId),
  orderCancelled: defineEvent("sample.order", OrderCancelledSchema, (e) => e.orderId),
  orderRejected: defineEvent("sample.order", OrderRejectedSchema, (e) => e.orderId),
  orderPacked: defineEvent("sample.warehouse", OrderPackedSchema, (e) => e.orderId),
  chargeApproved: defineEvent("billing.sample", ChargeApprovedSchema, (e) => e.orderId),
};

/** The streams of the systems testEvents are published on. */
export const testSystems = ["sample", "billing"];

/** A namespace of its own on the shared NATS, with the sample, billing and dead-letter streams. */
export interface TestNats {
  nc: NatsConnection;
  jsm: JetStreamManager;
  namespace: string;
  url: string;
  /** Deletes the namespace's streams and closes the connection. */
  cleanup(): Promise<void>;
}

/** Connects to `url` (the tests' NATS by default) and creates a random namespace's streams. */
export async function createTestNats(url = testNatsUrl): Promise<TestNats> {
  const namespace = `t${randomBytes(5).toString("hex")}`;
  const nc = await connect({ servers: url });
  const jsm = await nc.jetstreamManager();
  await ensureStreams(jsm, namespace, testSystems);
  return {
    nc, jsm, namespace, url,
    async cleanup() {
      for await (const s of namespaceStreams(jsm, namespace)) await jsm.streams.delete(s.config.name);
      await nc.close();
    },
  };
}

/**
 * The NATS 2.10 server binary: NATS_SERVER_2_10, or where scripts/nats-server-2.10.sh puts it
 * (CI runs it); undefined when neither is there. The machine's own NATS may be 2.9.
 */
export function natsServer210(): string | undefined {
  const binary = process.env.NATS_SERVER_2_10 || fileURLToPath(new URL("../../.cache/nats-server-2.10/nats-server", import.meta.url));
  return existsSync(binary) ? binary : undefined;
}

/** A nats-server of the tests' own, with JetStream, on a free port and a store that goes with it. */
export interface OwnNatsServer {
  url: string;
  stop(): Promise<void>;
}

export async function startOwnNatsServer(binary: string): Promise<OwnNatsServer> {
  const url = `nats://127.0.0.1:${await freePort()}`;
  const store = await mkdtemp(join(tmpdir(), "nats-test-"));
  try {
    const child = await startNatsServer(binary, url, store);
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    return {
      url,
      async stop() {
        child.kill("SIGTERM");
        await exited;
        await rm(store, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(store, { recursive: true, force: true });
    throw error;
  }
}

export { eventually } from "../testing/eventually.js";

export { captureLogs } from "../testing/capture-logs.js";

/** Metrics on a registry of their own. */
export function testMetrics() {
  return createMetrics("test", { processMetrics: false });
}

/** A TCP proxy in front of NATS: `cut()` is an outage (connections dropped, nothing listening), `restore()` ends it. */
export interface TcpProxy {
  url: string;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a proxy to `target` (host:port) on a free local port. */
export async function createTcpProxy(target = new URL(testNatsUrl)): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((client) => {
        const upstream = tcpConnect(Number(target.port || 4222), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on("close", () => sockets.delete(s));
          s.on("error", () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
        client.on("close", () => upstream.destroy());
        upstream.on("close", () => client.destroy());
      });
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        port = (server!.address() as { port: number }).port;
        resolve();
      });
    });
  const cut = async () => {
    const s = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await listen();
  return { url: `nats://127.0.0.1:${port}`, cut, restore: listen, close: cut };
}
