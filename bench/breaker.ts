// How fast an open circuit breaker answers: the runtime's own client and policy, in this
// process, pointed at a port nothing listens on; once the breaker opens, every call goes
// straight to its fallback.
import { create } from "@bufbuild/protobuf";
import { createServer } from "node:net";
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
