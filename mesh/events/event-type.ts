import type { DescMessage, MessageShape } from "@bufbuild/protobuf";

/** A kind of domain event: its subject (without namespace) and its protobuf message. */
export interface EventType<D extends DescMessage = DescMessage> {
  /** `<system>.<context>.<EventName>`, e.g. "flower.order.OrderPlaced". */
  readonly subject: string;
  /** The event's name, e.g. "OrderPlaced" (the message name). */
  readonly name: string;
  readonly schema: D;
}

/** Declares the event `schema` published by `source` ("flower.order", or "payment.flower"). */
export function defineEvent<D extends DescMessage>(source: string, schema: D): EventType<D> {
  return { subject: `${source}.${schema.name}`, name: schema.name, schema };
}

/** An event as a consumer receives it: the decoded message and its envelope headers. */
export interface ReceivedEvent<D extends DescMessage = DescMessage> {
  /** Unique event id (also JetStream's Nats-Msg-Id). */
  id: string;
  type: EventType<D>;
  message: MessageShape<D>;
  occurredAt: Date;
  correlationId: string;
  causationId?: string;
}

/** Narrows a received event to one type, for policies that react to several. */
export function isEvent<D extends DescMessage>(event: ReceivedEvent, type: EventType<D>): event is ReceivedEvent<D> {
  return event.type.subject === type.subject;
}
