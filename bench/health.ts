// What went wrong inside the services during the run, from their own accounts: the runtime's
// counters on /metrics, the dead-letter stream, and their warn/error log lines.
import { connect } from "nats";
import { listDeadLetters } from "../mesh/testing/index.js";
import type { Sample } from "../mesh/testing/metric-samples.js";
import { scrapeMetrics } from "./procs.js";
import type { LogSummary, Stack } from "./stack.js";

export interface ServiceHealth {
  id: string;
  /** mesh_events_handled_total summed over consumers, by outcome. */
  events: Record<string, number>;
  /** Calls this service made to dependencies that did not end OK, by "dependency.method code". */
  clientFailures: Record<string, number>;
  /** RPCs it served that did not end ok, by "method code". */
  rpcFailures: Record<string, number>;
  outboxBacklog: number;
  consumerPending: number;
  /** When /metrics did not answer. */
  scrapeError?: string;
  log: LogSummary;
  exitCode?: number | null;
}

export interface RunHealth {
  /** The version of the nats-server the run used (2.10 filters a consumer on several subjects, 2.9 on one). */
  natsServer: string;
  services: ServiceHealth[];
  deadLetters: { count: number; byConsumer: Record<string, { count: number; reason: string }> };
}

const add = (into: Record<string, number>, key: string, value: number) => {
  if (value > 0) into[key] = (into[key] ?? 0) + value;
};

function fromMetrics(samples: Sample[], h: ServiceHealth): void {
  for (const s of samples) {
    if (s.name === "mesh_events_handled_total") add(h.events, s.labels.outcome, s.value);
    else if (s.name === "mesh_client_requests_total" && s.labels.code.toLowerCase() !== "ok") add(h.clientFailures, `${s.labels.dependency}.${s.labels.method} ${s.labels.code}`, s.value);
    else if (s.name === "mesh_rpc_requests_total" && s.labels.code.toLowerCase() !== "ok") add(h.rpcFailures, `${s.labels.method} ${s.labels.code} (${s.labels.protocol})`, s.value);
    else if (s.name === "mesh_outbox_backlog") h.outboxBacklog += s.value;
    else if (s.name === "mesh_consumer_pending") h.consumerPending += s.value;
  }
}

/** Reads every service's counters and the run's dead letters (call before stopping the stack). */
export async function collectHealth(stack: Stack, natsUrl: string): Promise<RunHealth> {
  const services: ServiceHealth[] = [];
  for (const id of stack.ids) {
    const h: ServiceHealth = { id, events: {}, clientFailures: {}, rpcFailures: {}, outboxBacklog: 0, consumerPending: 0, log: stack.logs.get(id)! };
    if (stack.exited.has(id)) h.exitCode = stack.exited.get(id);
    try {
      fromMetrics(await scrapeMetrics(stack.httpPort(id)), h);
    } catch (error) {
      h.scrapeError = (error as Error).message;
    }
    services.push(h);
  }
  const byConsumer: RunHealth["deadLetters"]["byConsumer"] = {};
  let count = 0;
  const nc = await connect({ servers: natsUrl, name: "flower-bench-deadletters" });
  const natsServer = nc.info?.version ?? "unknown";
  try {
    for (const d of await listDeadLetters({ nc, namespace: stack.namespace, limit: 10_000 })) {
      count++;
      byConsumer[d.consumer] ??= { count: 0, reason: d.reason };
      byConsumer[d.consumer].count++;
    }
  } finally {
    await nc.close();
  }
  return { natsServer, services, deadLetters: { count, byConsumer } };
}

/** The health of several stacks (one per system) as one: a service that ran in several (payment, notification, the gateway) summed. */
export function mergeHealth(runs: readonly RunHealth[]): RunHealth {
  const byId = new Map<string, ServiceHealth>();
  const sum = (into: Record<string, number>, from: Record<string, number>) => Object.entries(from).forEach(([k, v]) => add(into, k, v));
  for (const s of runs.flatMap((r) => r.services)) {
    const h = byId.get(s.id);
    if (!h) {
      byId.set(s.id, { ...s, events: { ...s.events }, clientFailures: { ...s.clientFailures }, rpcFailures: { ...s.rpcFailures }, log: { ...s.log, messages: new Map(s.log.messages) } });
      continue;
    }
    sum(h.events, s.events);
    sum(h.clientFailures, s.clientFailures);
    sum(h.rpcFailures, s.rpcFailures);
    h.outboxBacklog += s.outboxBacklog;
    h.consumerPending += s.consumerPending;
    h.scrapeError ??= s.scrapeError;
    if (s.exitCode !== undefined) h.exitCode = s.exitCode;
    h.log.warn += s.log.warn;
    h.log.error += s.log.error;
    h.log.other += s.log.other;
    for (const [m, n] of s.log.messages) h.log.messages.set(m, (h.log.messages.get(m) ?? 0) + n);
  }
  const byConsumer: RunHealth["deadLetters"]["byConsumer"] = {};
  for (const [consumer, d] of runs.flatMap((r) => Object.entries(r.deadLetters.byConsumer))) {
    byConsumer[consumer] = { count: (byConsumer[consumer]?.count ?? 0) + d.count, reason: byConsumer[consumer]?.reason ?? d.reason };
  }
  return {
    natsServer: runs[0]?.natsServer ?? "unknown",
    services: [...byId.values()],
    deadLetters: { count: runs.reduce((n, r) => n + r.deadLetters.count, 0), byConsumer },
  };
}
