// How fast an open circuit breaker answers: the runtime's own client and policy, in this
// process, pointed at a port nothing listens on; once the breaker opens, every call goes
// straight to its fallback.
import { create } from "@bufbuild/protobuf";
import { createServer } from "node:net";
import { pathToFileURL } from "node:url";
import { GetFlowerResponseSchema, StoreService } from "../gen/flower/v1/store_pb.js";
import { createLogger } from "../mesh/log/logger.js";
import { createClient } from "../mesh/rpc/client.js";
import { createResiliencePolicy } from "../mesh/rpc/resilience.js";
import { createMetrics } from "../mesh/telemetry/metrics.js";
import { Samples } from "./load.js";

export interface BreakerResult {
  /** Failed calls it took to open the breaker. */
  callsToOpen: number;
  calls: number;
  /** Per call through the open breaker to the fallback, µs. */
  latencyUs: Samples;
}

/** A port that was free a moment ago and that nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Opens the breaker with failing calls, then times `calls` calls that it rejects. */
export async function measureOpenBreaker(calls: number): Promise<BreakerResult> {
  const logger = createLogger({ service: "bench", level: "error" });
  const metrics = createMetrics("bench", { processMetrics: false });
  const policy = createResiliencePolicy({ dependency: "flower-store", logger, metrics, breakerThreshold: 5, halfOpenAfterMs: 10 * 60_000 });
  const client = createClient(StoreService, { dependency: "flower-store", address: `127.0.0.1:${await closedPort()}`, policy, logger, metrics });
  const substitute = create(GetFlowerResponseSchema, { flower: { id: "1", name: "Rose (last known)", stock: 0 } });
  const options = { fallback: () => substitute };
  try {
    let callsToOpen = 0;
    while (policy.breakerState() !== "open") {
      if (++callsToOpen > 50) throw new Error(`the breaker did not open after 50 failed calls (state ${policy.breakerState()})`);
      await client.getFlower({ id: "1" }, options);
    }
    for (let i = 0; i < 1000; i++) await client.getFlower({ id: "1" }, options); // warm-up
    const latencyUs = new Samples();
    for (let i = 0; i < calls; i++) {
      const t = performance.now();
      await client.getFlower({ id: "1" }, options);
      latencyUs.push((performance.now() - t) * 1000);
    }
    if (policy.breakerState() !== "open") throw new Error(`the breaker left the open state during the run (${policy.breakerState()})`);
    return { callsToOpen, calls, latencyUs };
  } finally {
    client.close();
  }
}

/** What scoping breakers per method costs against one breaker per service. */
export interface BreakerScopeResult {
  /** Mean time per call through a closed policy, µs: every call on one method, and spread over `methods`. */
  oneMethodUs: number;
  spreadUs: number;
  methods: number;
  /** Failed calls to a dead dependency before every method called short-circuits, and how long they took. */
  callsToOpenAll: number;
  msToOpenAll: number;
}

/** Measures the price of per-method breakers: lookup cost per call, and failures until a dead dependency is cut off. */
export async function measureBreakerScopes(calls = 200_000): Promise<BreakerScopeResult> {
  const logger = createLogger({ service: "bench", level: "error" });
  const metrics = createMetrics("bench", { processMetrics: false });
  const methods = StoreService.methods.map((m) => `/${StoreService.typeName}/${m.name}`);
  const policy = createResiliencePolicy({ dependency: "flower-store", logger, metrics });
  const answer = async () => 1;
  const timeCalls = async (methodOf: (i: number) => string) => {
    for (let i = 0; i < 10_000; i++) await policy.execute(answer, { method: methodOf(i), idempotent: true }); // warm-up
    const t = performance.now();
    for (let i = 0; i < calls; i++) await policy.execute(answer, { method: methodOf(i), idempotent: true });
    return ((performance.now() - t) * 1000) / calls;
  };
  const oneMethodUs = await timeCalls(() => methods[0]);
  const spreadUs = await timeCalls((i) => methods[i % methods.length]);

  // A dead dependency, every read method of the store called in turn until all are cut off.
  const dead = createResiliencePolicy({ dependency: "flower-store", logger, metrics, breakerThreshold: 5, halfOpenAfterMs: 10 * 60_000 });
  const client = createClient(StoreService, { dependency: "flower-store", address: `127.0.0.1:${await closedPort()}`, policy: dead, logger, metrics }) as unknown as
    Record<string, (r: object, o: { fallback: () => never }) => Promise<unknown>> & { close(): void };
  const unary = StoreService.methods.filter((m) => m.methodKind === "unary");
  const fallback = (): never => {
    throw new Error("down");
  };
  let callsToOpenAll = 0;
  const t = performance.now();
  try {
    while (unary.some((m) => dead.breakerState(`/${StoreService.typeName}/${m.name}`) !== "open")) {
      const m = unary[callsToOpenAll++ % unary.length];
      await client[m.localName]({}, { fallback }).catch(() => undefined);
      if (callsToOpenAll > 50 * unary.length) throw new Error("the breakers did not open");
    }
  } finally {
    client.close();
  }
  return { oneMethodUs, spreadUs, methods: methods.length, callsToOpenAll, msToOpenAll: performance.now() - t };
}

// `npx tsx bench/breaker.ts`: the figures, printed.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const scopes = await measureBreakerScopes();
  const open = await measureOpenBreaker(10_000);
  console.log(`closed policy, per call: ${scopes.oneMethodUs.toFixed(2)} µs on one method, ${scopes.spreadUs.toFixed(2)} µs spread over ${scopes.methods} methods (a breaker each)`);
  console.log(`dead dependency: ${scopes.callsToOpenAll} failed calls (${scopes.msToOpenAll.toFixed(0)} ms) until every one of its methods short-circuits (one breaker per service: ${open.callsToOpen})`);
  const [p50, p99] = open.latencyUs.percentiles(0.5, 0.99);
  console.log(`open breaker → fallback: mean ${open.latencyUs.mean().toFixed(1)} µs, p50 ${p50.toFixed(1)} µs, p99 ${p99.toFixed(1)} µs over ${open.calls} calls`);
}
