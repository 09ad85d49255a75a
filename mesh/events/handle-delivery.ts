import { fromBinary } from "@bufbuild/protobuf";
import type { Knex } from "knex";
import { headers as natsHeaders, type JsMsg, type NatsConnection } from "nats";
import { contextHeaderNames, runInContext, type CallContext } from "../context/call-context.js";
import { childSpan, parseTraceparent } from "../context/trace.js";
import { isDuplicateKey } from "../db/lost-race.js";
import { insertRows } from "../db/sqlite-direct.js";
import { describeError } from "../log/error-fields.js";
import type { Logger } from "../log/logger.js";
import type { MeshMetrics } from "../telemetry/metrics.js";
import { deadLetterHeaderNames, eventHeaderNames } from "./event-headers.js";
import type { EventType, ReceivedEvent } from "./event-type.js";
import { RetryLaterError, type Policy } from "./policy.js";
import { runtimeTables } from "./runtime-migrations.js";
import { deadLetterSubject } from "./subjects.js";
import type { Transact, Transaction } from "./transaction.js";

/** What handling one delivery needs (startPolicy builds it once per consumer). */
export interface DeliveryHandlerOptions {
  nc: NatsConnection;
  namespace: string;
  /** The durable consumer's name: inbox key, metric label and dead-letter subject. */
  consumer: string;
  policy: Policy;
  transact: Transact;
  /** True when this consumer's inbox already holds the event (a redelivery). */
  seenBefore(eventId: string): Promise<boolean>;
  logger: Logger;
  /** The consumer's counters (consumerCounters), shared with its batch handler. */
  counters: ConsumerCounters;
  maxDeliver: number;
  /** Deliveries an event may spend waiting on RetryLaterError (a dependency that is down) before it is dead-lettered. */
  maxRetryLater?: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

/** What handling an event came to: done now, or done before (a redelivery). */
export type Outcome = "handled" | "duplicate";

/** A delivery of a subject the policy handles, with its event type (the consumer looked it up once). */
export interface Delivery {
  msg: JsMsg;
  type: EventType;
}

/** The consumer's counters, their labels bound once: a label set is hashed on every use otherwise. */
export interface ConsumerCounters {
  count(outcome: Outcome | "ignored" | "retried" | "dead_lettered"): void;
  lag(seconds: number): void;
}

export function consumerCounters(metrics: Pick<MeshMetrics, "eventsHandled" | "eventLag">, consumer: string): ConsumerCounters {
  const outcomes = new Map<string, { inc(): void }>();
  const lag = metrics.eventLag.labels({ consumer });
  return {
    count(outcome) {
      let counter = outcomes.get(outcome);
      if (!counter) outcomes.set(outcome, (counter = metrics.eventsHandled.labels({ consumer, outcome })));
      counter.inc();
    },
    lag: (seconds) => lag.observe(seconds),
  };
}

/**
 * Creates the function that takes one JetStream delivery to its end: decode it, run the
 * policy in the event's context and in one transaction with its inbox row, then ack; or nak
 * with backoff; or, once retries are spent or the message can never be decoded, move it to
 * the dead-letter subject and terminate it. It never throws.
 */
export function createDeliveryHandler(options: DeliveryHandlerOptions): (delivery: Delivery) => Promise<void> {
  const { namespace, consumer, policy, transact, maxDeliver } = options;
  const maxRetryLater = Math.max(options.maxRetryLater ?? 500, maxDeliver);
  const js = options.nc.jetstream();
  const { counters } = options;
  const count = counters.count;
  const retryDelay = (deliveries: number) => Math.min(options.retryBaseMs * 2 ** (deliveries - 1), options.retryMaxMs);

  const deadLetter = async (msg: JsMsg, reason: string, logger: Logger) => {
    const eventId = msg.headers?.get(eventHeaderNames.messageId) ?? "";
    const h = natsHeaders();
    for (const [name, values] of msg.headers ?? []) {
      if (name.toLowerCase().startsWith("nats-")) continue; // JetStream directives belong to the original
      for (const v of values) h.append(name, v);
    }
    h.set(deadLetterHeaderNames.reason, oneLine(reason));
    h.set(deadLetterHeaderNames.consumer, consumer);
    h.set(deadLetterHeaderNames.originalSubject, msg.subject);
    h.set(deadLetterHeaderNames.deliveryCount, String(msg.info.deliveryCount));
    if (eventId) h.set(deadLetterHeaderNames.eventId, eventId);
    try {
      // Its own id: several consumers may give up on one event, and a retried dead-lettering is de-duplicated.
      await js.publish(deadLetterSubject(namespace, consumer), msg.data, { msgID: `${consumer}:${eventId}:${msg.seq}`, headers: h });
    } catch (err) {
      logger.error("could not dead-letter the event; it will be redelivered", { error: err, reason });
      msg.nak(retryDelay(msg.info.deliveryCount));
      return;
    }
    msg.term();
    count("dead_lettered");
    logger.error("event dead-lettered", { eventId, subject: msg.subject, deliveries: msg.info.deliveryCount, reason });
  };

  return async ({ msg, type }) => {
    const deliveries = msg.info.deliveryCount;
    let event: ReceivedEvent;
    try {
      event = decode(msg, type);
    } catch (err) {
      return deadLetter(msg, `malformed event: ${(err as Error).message}`, options.logger);
    }
    const logger = options.logger.child({ consumer, eventId: event.id, event: type.subject });
    await runInContext(contextOfEvent(msg, event), async () => {
      if (deliveries > maxRetryLater) {
        return deadLetter(msg, `delivered ${deliveries} times without an outcome (handler hung or process died)`, logger);
      }
      try {
        // Work outside the transaction (a call to another service) holds no lock across the network.
        const prepared = policy.prepare && !(await options.seenBefore(event.id)) ? await policy.prepare(event) : undefined;
        const outcome = await transact((tx) => handleOnce(tx, consumer, policy, event, prepared));
        settle(msg, event, outcome, counters);
        logger.debug(outcome === "duplicate" ? "event already handled; redelivery ignored" : "event handled");
      } catch (err) {
        const waiting = err instanceof RetryLaterError;
        if (deliveries >= (waiting ? maxRetryLater : maxDeliver)) return deadLetter(msg, describeError(err), logger); // no SQL values in the header
        count("retried");
        if (err instanceof RetryLaterError) {
          const delay = Math.min(err.delayMs * 2 ** Math.min(deliveries - 1, 4), Math.max(err.delayMs, 30_000));
          msg.nak(delay);
          logger.debug("policy will retry later", { reason: err.message, retryInMs: delay, delivery: deliveries });
        } else {
          const delay = retryDelay(deliveries);
          msg.nak(delay);
          logger.warn("policy failed; event will be redelivered", { error: err, delivery: deliveries, maxDeliver, retryInMs: delay });
        }
      }
    });
  };
}

/** The context an event is handled in: its command's correlation id and its business key, caused by it, a new span of its trace. */
export function contextOfEvent(msg: JsMsg, event: ReceivedEvent): CallContext {
  return {
    correlationId: event.correlationId,
    businessKey: event.businessKey,
    causationId: event.id,
    trace: childSpan(parseTraceparent(msg.headers?.get(contextHeaderNames.traceparent))),
  };
}

/** Inside a transaction: records the event in the inbox and runs the policy, unless it was handled before. */
export async function handleOnce(tx: Transaction, consumer: string, policy: Policy, event: ReceivedEvent, prepared: unknown): Promise<Outcome> {
  if (!(await recordInInbox(tx.db, consumer, event.id))) return "duplicate";
  await policy.handle(event, tx, prepared);
  return "handled";
}

/** After the commit: acks the delivery and counts it, with its lag when it was handled now. */
export function settle(msg: JsMsg, event: ReceivedEvent, outcome: Outcome, counters: ConsumerCounters): void {
  msg.ack();
  counters.count(outcome);
  if (outcome === "handled") counters.lag(Math.max(0, Date.now() - event.occurredAt.getTime()) / 1000);
}

/** Reads an event from its message: the envelope headers and the decoded protobuf payload. */
export function decode(msg: JsMsg, type: EventType): ReceivedEvent {
  const h = msg.headers;
  const id = h?.get(eventHeaderNames.messageId);
  if (!id) throw new Error(`no ${eventHeaderNames.messageId} header (the event id)`);
  const typeName = h?.get(eventHeaderNames.eventType);
  if (typeName && typeName !== type.schema.typeName) {
    throw new Error(`${eventHeaderNames.eventType} ${typeName} does not match ${type.schema.typeName}, the type of ${type.subject}`);
  }
  const occurred = h?.get(eventHeaderNames.occurredAt);
  const occurredAt = occurred ? new Date(occurred) : new Date(msg.info.timestampNanos / 1e6);
  if (Number.isNaN(occurredAt.getTime())) throw new Error(`${eventHeaderNames.occurredAt} ${occurred} is not a time`);
  const message = fromBinary(type.schema, msg.data);
  const correlationId = h?.get(contextHeaderNames.correlationId) || id;
  return {
    id,
    type,
    message,
    occurredAt,
    correlationId,
    causationId: h?.get(contextHeaderNames.causationId) || undefined,
    businessKey: h?.get(eventHeaderNames.businessKey) || type.keyOf(message) || correlationId,
  };
}

// Records that `consumer` handled the event; false when it already had (a redelivery).
async function recordInInbox(db: Knex, consumer: string, eventId: string): Promise<boolean> {
  try {
    await insertRows(db, runtimeTables.inbox, [{ consumer, event_id: eventId, handled_at: new Date() }]);
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, " ").slice(0, 1000);
}
