/**
 * The NATS headers of an event's envelope (besides Nats-Msg-Id = event id and the context
 * headers of call-context.ts), written by the relay and the dead-letter path and read by
 * consumers and the dead-letter listing, so the names are spelled in one place.
 */
export const eventHeaderNames = {
  messageId: "Nats-Msg-Id",
  /** The protobuf type name of the payload, e.g. flower.v1.OrderPlaced. */
  eventType: "Event-Type",
  /** ISO 8601 time the event happened (when its transaction emitted it). */
  occurredAt: "Occurred-At",
  /** The order, reservation or request the event is about (its type's business key). */
  businessKey: "Business-Key",
} as const;

/** Headers a dead letter carries on top of the original event's. */
export const deadLetterHeaderNames = {
  reason: "Dead-Letter-Reason",
  consumer: "Dead-Letter-Consumer",
  originalSubject: "Original-Subject",
  deliveryCount: "Delivery-Count",
  /** The original Nats-Msg-Id (the dead letter needs its own for de-duplication). */
  eventId: "Event-Id",
} as const;
