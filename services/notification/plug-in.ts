import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import type { EventType } from "../../mesh/index.js";

/** What the customer is told when an event happens; the event's business key (the order) is what it is about. */
export interface CustomerMessage {
  event: EventType;
  text(message: unknown): string;
  /** Whom to tell, read off the event that carries it (OrderPlaced: the phone number); later events of the key go there too. */
  recipient?(message: unknown): string;
}

/** What a system tells notification, in its own folder: its name, and what each of its events says to the customer. */
export interface NotificationRegistration {
  name: string;
  messages?: readonly CustomerMessage[];
  /**
   * Events saying an order (reservation, request) was never made (OrderAbandoned): no event named
   * whom to tell about it, so a later message about it (its refund) is recorded as untold at once
   * instead of waiting for a recipient that will never be named.
   */
  neverMade?: readonly EventType[];
}

/** Tells the customer `text` when `event` happens; `recipient` on the event that says whom to tell. */
export function tell<D extends DescMessage>(event: EventType<D>, text: (message: MessageShape<D>) => string, recipient?: (message: MessageShape<D>) => string): CustomerMessage {
  return { event, text: text as (m: unknown) => string, recipient: recipient as ((m: unknown) => string) | undefined };
}
