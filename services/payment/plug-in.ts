import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import type { EventType } from "../../mesh/index.js";

/** An event after which payment refunds what was paid for its business key (the order or reservation). */
export interface Refund {
  event: EventType;
  reason(message: unknown): string;
}

/** What a system tells payment, in its own folder: its name, and the events that cancel its payments. */
export interface PaymentRegistration {
  name: string;
  refunds?: readonly Refund[];
}

/** Payment refunds the payment of `event`'s business key when the event happens (the saga's compensation). */
export function refundWhen<D extends DescMessage>(event: EventType<D>, reason: (message: MessageShape<D>) => string): Refund {
  return { event, reason: reason as (message: unknown) => string };
}
