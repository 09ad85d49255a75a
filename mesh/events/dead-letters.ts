import type { NatsConnection, NatsError } from "nats";
import { contextHeaderNames } from "../context/call-context.js";
import { deadLetterHeaderNames, eventHeaderNames } from "./event-headers.js";
import { deadLetterStreamName, deadLetterSubject, namespacedSubject, subjectWithoutNamespace } from "./subjects.js";

/** Which dead letters to list. */
export interface ListDeadLettersOptions {
  nc: NatsConnection;
  namespace: string;
  /** Only this consumer's (its durable name, e.g. "flower-store-acceptOrderWhenOrderPlaced"). */
  consumer?: string;
  /** At most this many, oldest first. Default 100. */
  limit?: number;
}

/** One event a consumer gave up on, as a person needs to see it to fix and replay it. */
export interface DeadLetter {
  /** Sequence in the dead-letter stream. */
  seq: number;
  /** The subject the event was published on, without namespace. */
  subject: string;
  consumer: string;
  reason: string;
  deliveryCount: number;
  eventId: string;
  eventType: string;
  correlationId: string;
  /** ISO time the event happened, as its Occurred-At header said. */
  occurredAt: string;
  deadLetteredAt: Date;
  payloadBase64: string;
}

const STREAM_NOT_FOUND = 10059;

/**
 * Lists dead letters without consuming them (an ordered, ephemeral consumer reads the
 * stream), so operators can see what failed and why, as often as they like.
 */
export async function listDeadLetters(options: ListDeadLettersOptions): Promise<DeadLetter[]> {
  const { nc, namespace } = options;
  const limit = options.limit ?? 100;
  const stream = deadLetterStreamName(namespace);
  const subject = options.consumer ? deadLetterSubject(namespace, options.consumer) : namespacedSubject(namespace, "deadletter.>");
  const jsm = await nc.jetstreamManager();
  let available: number;
  try {
    const info = await jsm.streams.info(stream, { subjects_filter: subject });
    available = Object.values(info.state.subjects ?? {}).reduce((a, b) => a + b, 0);
  } catch (err) {
    if ((err as NatsError).api_error?.err_code === STREAM_NOT_FOUND) return [];
    throw err;
  }
  const wanted = Math.min(available, limit);
  if (wanted === 0) return [];

  // An ordered consumer starts at the stream's first message (setting deliver_policy explicitly makes nats.js 2.29 hang).
  const reader = await nc.jetstream().consumers.get(stream, { filterSubjects: subject });
  const out: DeadLetter[] = [];
  while (out.length < wanted) {
    const batch = await reader.fetch({ max_messages: wanted - out.length, expires: 2000 });
    let got = 0;
    for await (const m of batch) {
      got++;
      const h = m.headers;
      const get = (name: string) => h?.get(name) ?? "";
      out.push({
        seq: m.seq,
        subject: subjectWithoutNamespace(namespace, get(deadLetterHeaderNames.originalSubject)),
        consumer: get(deadLetterHeaderNames.consumer),
        reason: get(deadLetterHeaderNames.reason),
        deliveryCount: Number(get(deadLetterHeaderNames.deliveryCount)) || 0,
        eventId: get(deadLetterHeaderNames.eventId),
        eventType: get(eventHeaderNames.eventType),
        correlationId: get(contextHeaderNames.correlationId),
        occurredAt: get(eventHeaderNames.occurredAt),
        deadLetteredAt: new Date(m.info.timestampNanos / 1e6),
        payloadBase64: Buffer.from(m.data).toString("base64"),
      });
      if (out.length >= wanted) break;
    }
    if (got === 0) break; // fewer than the stream said (purged meanwhile)
  }
  await reader.delete().catch(() => {}); // ephemeral anyway; do not leave it until it times out
  return out;
}
