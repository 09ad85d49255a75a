import type { Knex } from "knex";
import { AckPolicy, DeliverPolicy, nanos, type Consumer, type ConsumerMessages, type JetStreamManager, type JsMsg, type NatsConnection } from "nats";
import { contextHeaderNames } from "../context/call-context.js";
import type { Logger } from "../log/logger.js";
import type { MeshMetrics } from "../telemetry/metrics.js";
import { eventHeaderNames } from "./event-headers.js";
import type { EventType } from "./event-type.js";
import { createBatcher, type Batcher } from "./handle-batch.js";
import { consumerCounters, createDeliveryHandler, type Delivery } from "./handle-delivery.js";
import { createKeyedQueue } from "./keyed-queue.js";
import type { Policy } from "./policy.js";
import { runtimeTables } from "./runtime-migrations.js";
import { durableName, namespacedSubject, streamName, streamSubjects, subjectWithoutNamespace, systemOf } from "./subjects.js";
import type { Transact } from "./transaction.js";

/** What running one policy needs. */
export interface StartPolicyOptions {
  nc: NatsConnection;
  /** The service's database; must hold the runtime's inbox table (checked at start). */
  db: Knex;
  namespace: string;
  /** The service id ("flower-store"): the durable consumer is `<service>-<policy.name>`. */
  service: string;
  policy: Policy;
  /** The service's transact (whose commits wake its relay), so events the policy emits go out. */
  transact: Transact;
  logger: Logger;
  metrics: Pick<MeshMetrics, "eventsHandled" | "eventLag" | "consumerPending">;
  /** Deliveries before an event that keeps failing goes to the dead-letter subject. Default 8. */
  maxDeliver?: number;
  /** Time to handle one delivery before JetStream redelivers it. Default 30 s. */
  ackWaitMs?: number;
  /** Events handled at once by this process (one at a time per business key). Default 32. */
  concurrency?: number;
  /**
   * The transactions this policy's events join, shared with the service's other policies (one
   * batcher per database: startService makes it). A policy with `prepare`, or without this, gets
   * a batcher of its own, so that its calls out never hold up the others' events.
   */
  batcher?: Batcher;
  /** First redelivery delay after a failure, doubled each time up to retryMaxMs. Default 500 ms. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Deliveries outstanding across all replicas. Default 1000. */
  maxAckPending?: number;
  /** How often consumerPending is refreshed. Default 5 s. */
  pendingPollMs?: number;
}

/** A running policy. */
export interface RunningPolicy {
  /** The durable consumer's name. */
  consumer: string;
  /** Stops fetching, hands back events not started, waits for those in flight. */
  stop(): Promise<void>;
}

/**
 * Runs a policy as one durable JetStream consumer per stream it listens to, named
 * `<service>-<policy>` and shared by the service's replicas (each event goes to one of them),
 * starting from the first event a new consumer has not seen, so a service that was down
 * catches up. Each event is handled once (inbox), in order within its business key.
 */
export async function startPolicy(options: StartPolicyOptions): Promise<RunningPolicy> {
  const { nc, namespace, policy, metrics } = options;
  const consumer = durableName(options.service, policy.name);
  const logger = options.logger.child({ consumer });
  const concurrency = options.concurrency ?? 32;
  const ackWaitMs = options.ackWaitMs ?? 30_000;
  if (policy.on.length === 0) throw new Error(`policy ${policy.name} listens to no event`);
  if (!(await options.db.schema.hasTable(runtimeTables.inbox))) {
    throw new Error(`policy ${policy.name}: the database has no ${runtimeTables.inbox} table; migrate runtimeMigrations first`);
  }

  const types = new Map<string, EventType>(policy.on.map((t) => [t.subject, t]));
  const counters = consumerCounters(metrics, consumer);
  const handle = createDeliveryHandler({
    nc, namespace, consumer, policy, transact: options.transact, logger, counters,
    seenBefore: async (eventId) => (await options.db(runtimeTables.inbox).where({ consumer, event_id: eventId }).first()) !== undefined,
    maxDeliver: options.maxDeliver ?? 8,
    retryBaseMs: options.retryBaseMs ?? 500,
    retryMaxMs: options.retryMaxMs ?? 60_000,
  });
  const batcher = options.batcher && !policy.prepare ? options.batcher
    : createBatcher({ transact: options.transact, maxBatch: concurrency });
  const run = batcher({ consumer, policy, logger, counters, single: handle });
  const queue = createKeyedQueue<Delivery>({ concurrency, run });
  let stopping = false;

  const jsm = await nc.jetstreamManager();
  const js = nc.jetstream();
  const streams = filtersByStream(namespace, policy.on, takesSeveralFilters(nc));
  const subscriptions: ConsumerMessages[] = [];
  const consumers: Consumer[] = [];
  for (const [stream, filters] of streams) {
    await ensureConsumer(jsm, stream, {
      durable_name: consumer,
      // Both keys, one of them unset: an update from one form to the other must clear the other.
      filter_subject: filters.length === 1 ? filters[0] : undefined,
      filter_subjects: filters.length > 1 ? filters : undefined,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(ackWaitMs),
      max_deliver: -1, // the handler counts deliveries and dead-letters; the server must never drop one silently
      max_ack_pending: options.maxAckPending ?? 1000,
    });
    const c = await js.consumers.get(stream, consumer);
    consumers.push(c);
    const messages = await c.consume({
      max_messages: Math.max(2 * concurrency, 8),
      callback: (msg) => {
        if (stopping) return msg.nak();
        // A subject the filter covers but the policy does not handle (NATS 2.9 takes one filter
        // per consumer; or a 2.9-era consumer not updated yet) is acked here, before its headers
        // are parsed or it waits in the queue.
        const type = types.get(subjectWithoutNamespace(namespace, msg.subject));
        if (!type) {
          msg.ack();
          counters.count("ignored");
          return;
        }
        queue.push(orderKey(msg), { msg, type });
      },
    });
    subscriptions.push(messages);
  }
  logger.info("policy consuming", { streams: [...streams.entries()].map(([s, f]) => `${s}:${f.join(",")}`), concurrency });

  // Events waiting behind others of their business key must not time out and be redelivered meanwhile.
  const keepAlive = setInterval(() => queue.waiting().forEach((d) => d.msg.working()), Math.max(ackWaitMs / 3, 100));
  const pendingPoll = setInterval(async () => {
    try {
      let pending = 0;
      for (const c of consumers) pending += (await c.info()).num_pending;
      metrics.consumerPending.set({ consumer }, pending);
    } catch (err) {
      logger.debug("could not read consumer info", { error: err });
    }
  }, options.pendingPollMs ?? 5000);
  keepAlive.unref();
  pendingPoll.unref();

  return {
    consumer,
    async stop() {
      if (stopping) return queue.idle();
      stopping = true;
      clearInterval(keepAlive);
      clearInterval(pendingPoll);
      await Promise.all(subscriptions.map((s) => s.close()));
      for (const { msg } of queue.takeWaiting()) msg.nak(); // another replica takes them at once
      await queue.idle();
      logger.info("policy stopped");
    },
  };
}

/** True when the server takes several subject filters on one consumer (filter_subjects: NATS 2.10 and later). */
export function takesSeveralFilters(nc: NatsConnection): boolean {
  const [major, minor] = (nc.info?.version ?? "0.0").split(".").map(Number);
  return major > 2 || (major === 2 && minor >= 10);
}

// One consumer per stream, so that the events of one business key keep their stream order across
// subjects. Filtered on exactly the subjects the policy handles where the server takes several
// filters; otherwise (NATS 2.9) as narrowly as one filter allows: the one subject it handles
// there, or the longest shared prefix, and the consumer ignores what it lets through.
function filtersByStream(namespace: string, types: readonly EventType[], severalFilters: boolean): Map<string, string[]> {
  const subjectsBySystem = new Map<string, Set<string>>();
  for (const t of types) {
    const system = systemOf(t.subject);
    subjectsBySystem.set(system, (subjectsBySystem.get(system) ?? new Set()).add(t.subject));
  }
  const out = new Map<string, string[]>();
  for (const [system, subjects] of subjectsBySystem) {
    const list = [...subjects];
    const prefix = sharedPrefix(list.map((s) => s.split(".")));
    const filters = list.length === 1 || severalFilters ? list.map((s) => namespacedSubject(namespace, s))
      : prefix.length > 1 ? [namespacedSubject(namespace, `${prefix.join(".")}.>`)]
      : [streamSubjects(namespace, system)];
    out.set(streamName(namespace, system), filters);
  }
  return out;
}

function sharedPrefix(subjects: string[][]): string[] {
  const first = subjects[0];
  let n = 0;
  while (n < first.length - 1 && subjects.every((s) => s[n] === first[n])) n++;
  return first.slice(0, n);
}

async function ensureConsumer(jsm: JetStreamManager, stream: string, config: Parameters<JetStreamManager["consumers"]["add"]>[1]): Promise<void> {
  try {
    await jsm.consumers.add(stream, config); // same config: no-op; replicas starting together agree
  } catch (err) {
    try {
      await jsm.consumers.update(stream, config.durable_name!, config);
    } catch {
      throw new Error(`cannot create durable consumer ${config.durable_name} on stream ${stream}: ${(err as Error).message}`, { cause: err });
    }
  }
}

// The events of one order (reservation, request) are handled in order; different ones at once.
function orderKey(msg: JsMsg): string {
  const h = msg.headers;
  return h?.get(eventHeaderNames.businessKey) || h?.get(contextHeaderNames.correlationId) || h?.get(eventHeaderNames.messageId) || String(msg.seq);
}
