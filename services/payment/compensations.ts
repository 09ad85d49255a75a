import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import type { EventType } from "../../mesh/index.js";
import { OrderCancelled } from "../flower/events.js";

/** The event that cancels a system's payment, and how to read the paid reference and the reason from it. */
export interface Compensation {
  system: string;
  event: EventType;
  referenceId(message: unknown): string;
  reason(message: unknown): string;
}

/** Declares one compensation, keeping the readers typed against the event's message. */
export function compensation<D extends DescMessage>(
  system: string,
  event: EventType<D>,
  referenceId: (message: MessageShape<D>) => string,
  reason: (message: MessageShape<D>) => string = () => event.name,
): Compensation {
  return { system, event, referenceId: referenceId as (m: unknown) => string, reason: reason as (m: unknown) => string };
}

/** For each system, the event after which its payment must be refunded. Adding a system is one line here. */
export const compensations: readonly Compensation[] = [
  compensation("flower", OrderCancelled, (e) => e.orderId, (e) => e.reason || "order cancelled"),
];
