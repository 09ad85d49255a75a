import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** Every metric the runtime exports, on one registry per service (tests host several in one process). */
export interface MeshMetrics {
  registry: Registry;
  rpcRequests: Counter<"method" | "code" | "protocol">;
  rpcDuration: Histogram<"method" | "code" | "protocol">;
  clientRequests: Counter<"dependency" | "method" | "code">;
  clientDuration: Histogram<"dependency" | "method" | "code">;
  /** 0 closed, 1 half-open, 2 open, 3 isolated; one breaker per method called. */
  breakerState: Gauge<"dependency" | "method">;
  breakerTransitions: Counter<"dependency" | "method" | "state">;
  /** Transactions committed through the service's transact (state, inbox and outbox together). */
  transactions: Counter;
  outboxBacklog: Gauge;
  outboxPublished: Counter;
  eventsHandled: Counter<"consumer" | "outcome">;
  /** Time from an event's occurrence to its handling by a consumer. */
  eventLag: Histogram<"consumer">;
  /** Messages the durable consumer has not yet delivered (JetStream num_pending). */
  consumerPending: Gauge<"consumer">;
}

/**
 * How often the event loop is sampled for nodejs_eventloop_lag_*: those figures are the time
 * between two samples, so an idle loop reads this much; the loop's delay is what exceeds it.
 */
export const eventLoopSamplingMs = 10;

/** Creates the runtime's metrics with `service` as a default label. */
export function createMetrics(service: string, options: { processMetrics?: boolean } = {}): MeshMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: eventLoopSamplingMs });
  const registers = [registry];
  const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
  return {
    registry,
    rpcRequests: new Counter({ name: "mesh_rpc_requests_total", help: "RPCs served, by method, status code and protocol", labelNames: ["method", "code", "protocol"], registers }),
    rpcDuration: new Histogram({ name: "mesh_rpc_duration_seconds", help: "RPC handling time", labelNames: ["method", "code", "protocol"], buckets: latencyBuckets, registers }),
    clientRequests: new Counter({ name: "mesh_client_requests_total", help: "Calls to dependencies, by outcome code", labelNames: ["dependency", "method", "code"], registers }),
    clientDuration: new Histogram({ name: "mesh_client_duration_seconds", help: "Time of calls to dependencies, policy included", labelNames: ["dependency", "method", "code"], buckets: latencyBuckets, registers }),
    breakerState: new Gauge({ name: "mesh_breaker_state", help: "Circuit breaker state per dependency and method: 0 closed, 1 half-open, 2 open, 3 isolated", labelNames: ["dependency", "method"], registers }),
    breakerTransitions: new Counter({ name: "mesh_breaker_transitions_total", help: "Circuit breaker transitions, by the state entered", labelNames: ["dependency", "method", "state"], registers }),
    transactions: new Counter({ name: "mesh_db_transactions_total", help: "Transactions committed (state change, inbox and outbox rows together)", registers }),
    outboxBacklog: new Gauge({ name: "mesh_outbox_backlog", help: "Events committed but not yet published", registers }),
    outboxPublished: new Counter({ name: "mesh_outbox_published_total", help: "Events published from the outbox", registers }),
    eventsHandled: new Counter({ name: "mesh_events_handled_total", help: "Events taken by consumers, by outcome (handled, duplicate, ignored, retried, dead_lettered)", labelNames: ["consumer", "outcome"], registers }),
    eventLag: new Histogram({ name: "mesh_event_lag_seconds", help: "From an event's occurrence to its handling", labelNames: ["consumer"], buckets: latencyBuckets, registers }),
    consumerPending: new Gauge({ name: "mesh_consumer_pending", help: "Events waiting for a durable consumer (JetStream num_pending)", labelNames: ["consumer"], registers }),
  };
}
