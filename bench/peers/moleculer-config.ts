// Broker options both Moleculer sides share. Profile "cb": NATS transporter and circuit
// breaker, everything else at Moleculer's defaults (no timeout, retries, bulkhead or metrics).
// Profile "matched": also what the mesh's client and server do on every call: request timeout
// 2000 ms, 2 retries, bulkhead 128 in flight / 256 queued, metrics on. JSON serializer in both.
import type { BrokerOptions } from "moleculer";
import { peerEnv, peerNatsUrl } from "./protocol.js";

export function brokerOptions(role: string): BrokerOptions {
  const profile = process.env[peerEnv.profile] ?? "cb";
  if (profile !== "cb" && profile !== "matched") throw new Error(`${peerEnv.profile} must be cb or matched, not ${profile}`);
  const options: BrokerOptions = {
    namespace: process.env[peerEnv.namespace] ?? "syncbench",
    nodeID: `${role}-${process.pid}`,
    transporter: peerNatsUrl,
    serializer: "JSON",
    logger: { type: "Console", options: { level: "warn" } },
    circuitBreaker: { enabled: true },
  };
  if (profile === "matched") {
    Object.assign(options, {
      requestTimeout: 2000,
      retryPolicy: { enabled: true, retries: 2, delay: 25, maxDelay: 200, factor: 2 },
      bulkhead: { enabled: true, concurrency: 128, maxQueueSize: 256 },
      metrics: { enabled: true },
    } satisfies BrokerOptions);
  }
  return options;
}
