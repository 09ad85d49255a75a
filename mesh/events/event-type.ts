import type { DescMessage, MessageShape } from "@bufbuild/protobuf";

/** A kind of domain event: its subject (without namespace), its protobuf message, and its business key. */
export interface EventType<D extends DescMessage = DescMessage> {
  /** `<system>.<context>.<EventName>`, e.g. "flower.order.OrderPlaced". */
  readonly subject: string;
  /** The event's name, e.g. "OrderPlaced" (the message name). */
  readonly name: string;
  readonly schema: D;
  /**
   * The business key of an event: the order, reservation or request its saga runs on. Consumers
   * handle the events of one key in order; views and notifications file them under it.
   */
  keyOf(message: MessageShape<D>): string;
}

/**
 * Declares the event `schema` published by `source` ("flower.order", or "payment.flower"),
 * with the field that names its business key (`(e) => e.orderId`).
 */
export function defineEvent<D extends DescMessage>(source: string, schema: D, key: (message: MessageShape<D>) => string): EventType<D> {
  return { subject: `${source}.${schema.name}`, name: schema.name, schema, keyOf: key };
}

/** An event as a consumer receives it: the decoded message and its envelope. */
export interface ReceivedEvent<D extends DescMessage = DescMessage> {
  /** Unique event id (also JetStream's Nats-Msg-Id). */
  id: string;
  type: EventType<D>;
  message: MessageShape<D>;
  occurredAt: Date;
  /** The id of the command that caused it, through every hop: what a caller follows its request by. */
  correlationId: string;
  /** The id of the event or request that caused it directly. */
  causationId?: string;
  /** The order, reservation or request it is about (its type's keyOf). */
  businessKey: string;
}
