import { newId, RetryLaterError, type EventType, type Policy, type ReceivedEvent, type Transaction } from "../../mesh/index.js";
import {
  DeliveryCanceled, DeliveryCompleted, DeliveryStarted, FlowerSold, FlowerWrapped, OrderCancelled, OrderPlaced, OrderRejected,
} from "../flower/events.js";
import { paymentEvents } from "../payment/events.js";
import { createNotification, renderMessage, type SystemTemplates } from "./domain.js";
import { insertNotification, findRecipient, rememberRecipient } from "./store.js";
import { flowerTemplates } from "./templates/flower.js";

/** What the policies need besides the event: the channel's name, the sender's wake-up, and how long to wait for a recipient. */
export interface NotifyOptions {
  channel: string;
  /** Asks the sender to look for new notifications (they are sent after the transaction commits). */
  wake(): void;
  recipientWaitMs: number;
}

/**
 * Records the message `event` means for its customer. The event that carries the recipient
 * (OrderPlaced) also remembers it; any other event waits for it (RetryLaterError, so JetStream
 * redelivers it later) when it overtook that one.
 */
async function notifyCustomer(system: string, templates: SystemTemplates, event: ReceivedEvent, tx: Transaction, options: NotifyOptions) {
  const rendered = renderMessage(templates, event.type.subject, event.message);
  if (!rendered) return;
  if (rendered.recipient) await rememberRecipient(tx.db, system, rendered.correlationId, rendered.recipient);
  const recipient = rendered.recipient ?? (await findRecipient(tx.db, system, rendered.correlationId));
  if (!recipient) {
    throw new RetryLaterError(`no recipient known yet for ${system} ${rendered.correlationId}`, options.recipientWaitMs);
  }
  await insertNotification(tx.db, createNotification(rendered, recipient, {
    id: newId(), eventId: event.id, system, eventType: event.type.subject, channel: options.channel, now: new Date(),
  }));
  options.wake();
}

function policy(name: string, system: string, templates: SystemTemplates, on: EventType[], options: NotifyOptions): Policy {
  return { name, on, handle: (event, tx) => notifyCustomer(system, templates, event, tx, options) };
}

/** The policies that tell customers about every status change of their flower order, refunds included. */
export function notificationPolicies(options: NotifyOptions): Policy[] {
  return [
    policy("notifyCustomerWhenFlowerStatusChanged", "flower", flowerTemplates, [
      OrderPlaced, OrderCancelled, OrderRejected, FlowerWrapped, FlowerSold, DeliveryStarted, DeliveryCompleted, DeliveryCanceled,
    ], options),
    policy("notifyCustomerWhenFlowerPaymentCancelled", "flower", flowerTemplates, [paymentEvents("flower").PaymentCancelled], options),
  ];
}
