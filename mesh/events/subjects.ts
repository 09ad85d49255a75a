import { ConfigError } from "../config/env.js";

// Subjects and stream names in one place. An event's subject is `<system>.<context>.<Event>`
// (payment's: `payment.<system>.<Event>`); its stream is the subject's first token. A
// namespace prefixes every subject and stream so that test runs sharing one NATS never meet.

const NAMESPACE = /^[A-Za-z0-9_-]*$/;

/** The namespace of this process's events: EVENT_NAMESPACE, empty by default (production). */
export function eventNamespace(env: Record<string, string | undefined> = process.env): string {
  const ns = (env.EVENT_NAMESPACE ?? "").trim();
  if (!NAMESPACE.test(ns)) {
    throw new ConfigError([`EVENT_NAMESPACE=${JSON.stringify(ns)} may hold only letters, digits, _ and -`]);
  }
  return ns;
}

/** The subject an event is published on: `flower.order.OrderPlaced` → `<ns>.flower.order.OrderPlaced`. */
export function namespacedSubject(namespace: string, subject: string): string {
  return namespace ? `${namespace}.${subject}` : subject;
}

/** The event's own subject from the one a message arrived on (the inverse of namespacedSubject). */
export function subjectWithoutNamespace(namespace: string, subject: string): string {
  return namespace && subject.startsWith(`${namespace}.`) ? subject.slice(namespace.length + 1) : subject;
}

/** The system an event subject belongs to, which names its stream: `payment.flower.PaymentApproved` → `payment`. */
export function systemOf(subject: string): string {
  const tokens = subject.split(".");
  if (tokens.length < 3 || tokens.some((t) => !/^[A-Za-z0-9_-]+$/.test(t))) {
    throw new Error(`event subject "${subject}" is not <system>.<context>.<Event>`);
  }
  return tokens[0];
}

/** The stream of one system's events: `FLOWER`, or `<NS>_FLOWER` in a namespace. */
export function streamName(namespace: string, system: string): string {
  const name = system.toUpperCase();
  return namespace ? `${namespace.toUpperCase()}_${name}` : name;
}

/** The subjects a system's stream captures: `<ns>.<system>.>`. */
export function streamSubjects(namespace: string, system: string): string {
  return namespacedSubject(namespace, `${system}.>`);
}

/** The stream that keeps events no consumer could handle, for people to inspect and replay. */
export function deadLetterStreamName(namespace: string): string {
  return streamName(namespace, "deadletter");
}

/** Where a consumer puts the events it gave up on: `<ns>.deadletter.<consumer>`. */
export function deadLetterSubject(namespace: string, consumer: string): string {
  return namespacedSubject(namespace, `deadletter.${consumer}`);
}

/** A name JetStream accepts as a durable consumer and as a subject token (no `.`, `*`, `>`, spaces or slashes). */
export function durableName(service: string, policy: string): string {
  return `${service}-${policy}`.replace(/[^A-Za-z0-9_-]/g, "_");
}
