import type { RunningService } from "../service/start-service.js";

/**
 * How many events a service's policy has taken with `outcome` (handled, duplicate, retried,
 * dead_lettered): the positive signal a test waits for before it asserts that nothing else happened.
 */
export async function eventsHandled(service: RunningService, policy: string, outcome: string): Promise<number> {
  const consumer = `${service.id}-${policy}`;
  const { values } = await service.metrics.eventsHandled.get();
  return values.filter((v) => v.labels.consumer === consumer && v.labels.outcome === outcome).reduce((sum, v) => sum + v.value, 0);
}
