import { newId, on, policy, RetryLaterError, type Policy, type ReceivedEvent, type Transaction } from "../../mesh/index.js";
import { createNotification, untoldNotification } from "./domain.js";
import type { CustomerMessage, NotificationRegistration } from "./plug-in.js";
import { notifications, recipients } from "./tables.js";

/** What the policies need besides the event: the channel's name, the sender's wake-up, and how long to wait for a recipient. */
export interface NotifyOptions {
  channel: string;
  /** Asks the sender to look for new notifications (they are sent after the transaction commits). */
  wake(): void;
  recipientWaitMs: number;
}

/**
 * One policy per system (`notifyCustomerWhenFlowerStatusChanged`) over every event it registered
 * a message for. The event that names the recipient (OrderPlaced) remembers it; any other waits
 * for it (RetryLaterError: JetStream redelivers it later) when it overtook that one; one about an
 * order never made (its refund after OrderAbandoned) is recorded as untold, since none ever will.
 */
export function notificationPolicies(systems: readonly NotificationRegistration[], options: NotifyOptions): Policy[] {
  return systems.filter((s) => s.messages?.length).map((s) =>
    policy(`notifyCustomerWhen${s.name[0].toUpperCase()}${s.name.slice(1)}StatusChanged`,
      ...s.messages!.map((m) => on(m.event, (event, tx) => notifyCustomer(s.name, m, event, tx, options))),
      ...(s.neverMade ?? []).map((type) => on(type, (event, tx) => rememberNobodyToTell(s.name, event, tx)))));
}

// A recipient row with no recipient: the order was never made, so no event will ever name one.
const nobody = "";

async function notifyCustomer(system: string, m: CustomerMessage, event: ReceivedEvent, tx: Transaction, options: NotifyOptions): Promise<void> {
  const referenceId = event.businessKey;
  const named = m.recipient?.(event.message);
  if (named) await recipients.upsert(tx.db, { system, referenceId, recipient: named });
  const recipient = named || (await recipients.find(tx.db, { system, referenceId }))?.recipient;
  if (recipient === undefined) throw new RetryLaterError(`no recipient known yet for ${system} ${referenceId}`, options.recipientWaitMs);
  const origin = {
    id: newId(), eventId: event.id, system, referenceId, correlationId: event.correlationId, eventType: event.type.subject, channel: options.channel, now: new Date(),
  };
  if (recipient === nobody) {
    await notifications.insert(tx.db, untoldNotification(m.text(event.message), `nobody to tell: ${system} ${referenceId} was never made, so no event named a recipient`, origin));
    return;
  }
  await notifications.insert(tx.db, createNotification(m.text(event.message), recipient, origin));
  options.wake();
}

async function rememberNobodyToTell(system: string, event: ReceivedEvent, tx: Transaction): Promise<void> {
  const referenceId = event.businessKey;
  if (!(await recipients.find(tx.db, { system, referenceId }))) await recipients.insert(tx.db, { system, referenceId, recipient: nobody });
}
