import type { DescMessage } from "@bufbuild/protobuf";
import { decide, newId, on, policy, RetryLaterError, type EventType, type ReceivedEvent, type Repository, type Transaction } from "../../../mesh/index.js";
import { paymentEvents } from "../../payment/events.js";
import * as cleaning from "../events.js";
import { cleaningMessages } from "../notifications.js";
import { furtherStatus } from "../reservation/domain.js";
import type { CustomerMessage, DashBoardRow, DashBoardStep, MessageEvent, PaymentState } from "./tables.js";

// The dashboard projection (CQRS): one policy over every event of a request. Each event updates
// the request's row, adds its step, and leaves the customer's message where it has one.

/** What one event changes in its request's row, and how its step reads. */
type Change = Partial<Pick<DashBoardRow, "status" | "payKind" | "number" | "paymentStatus" | "cancelRefusal">> & { description: string };

const payment = paymentEvents("cleaning");
/** A refund is the last word on a payment. */
const paymentRank: Record<PaymentState, number> = { Approved: 0, Declined: 0, Cancelled: 1 };
const texts = new Map(cleaningMessages.map((m) => [m.event.subject, m.text]));

/** The projection, writing the view's rows, steps and messages. */
export function createDashBoardProjection(rows: Repository<DashBoardRow>, stepRows: Repository<DashBoardStep>, messageRows: Repository<CustomerMessage, MessageEvent>) {
  const note = async (tx: Transaction, event: ReceivedEvent, change: Change) => {
    const requestId = event.businessKey;
    const now = new Date();
    const row = await rows.find(requestId, { tx, lock: true });
    // Every other event of a request follows its CleaningRequested, which may still be on its way.
    if (!row) throw new RetryLaterError(`cleaning request ${requestId} not seen yet`, 200);
    const { description, status: reported, payKind, number, paymentStatus, cancelRefusal } = change;
    // Events of a request may arrive out of order (one waits for its CleaningRequested): each field only moves forward.
    const status = reported ? furtherStatus(row.status, reported) : row.status;
    const kind = payKind !== undefined && (!row.payKindAt || event.occurredAt >= row.payKindAt) ? { payKind, number: number ?? row.number, payKindAt: event.occurredAt } : {};
    const paid = paymentStatus && paymentRank[paymentStatus] >= paymentRank[row.paymentStatus ?? "Approved"] ? { paymentStatus } : {};
    await rows.record(tx, decide({ ...row, ...kind, ...paid, cancelRefusal: cancelRefusal ?? row.cancelRefusal, status, updatedAt: now }), row);
    await record(tx, event, row.customerId, description, now);
  };
  const record = async (tx: Transaction, event: ReceivedEvent, customerId: string, description: string, now: Date) => {
    const { id: eventId, businessKey: requestId, type, correlationId, occurredAt } = event;
    await stepRows.record(tx, decide({ eventId, requestId, event: type.name, description: description.slice(0, 300), correlationId, occurredAt, recordedAt: now }), undefined);
    const text = texts.get(type.subject)?.(event.message);
    if (!text) return;
    const message: CustomerMessage = { id: newId(), requestId, recipient: customerId, message: text.slice(0, 1000), eventType: type.subject, correlationId, createdAt: now };
    await messageRows.record(tx, decide(message, { type: "MessageAlerted", messageId: message.id, requestId, recipient: customerId, message: message.message }), undefined);
  };
  const step = <D extends DescMessage>(type: EventType<D>, change: (e: ReceivedEvent<D>) => Change) => on(type, (e, tx) => note(tx, e, change(e)));

  return policy("updateDashBoardWhenRequestChanged",
    on(cleaning.CleaningRequested, async (e, tx) => {
      const { requestId, place, requestDate, price, customerId } = e.message;
      const now = new Date();
      const row: DashBoardRow = {
        requestId, status: "ReservationApply", place, requestDate, price: { amount: price?.amount ?? 0n, currency: price?.currency ?? "KRW" }, customerId,
        payKind: "", number: "", cancelRefusal: "", createdAt: now, updatedAt: now,
      };
      // A redelivery finds its row: the inbox makes that rare, and it changes nothing.
      if (await rows.find(requestId, { tx, lock: true })) return;
      await rows.record(tx, decide(row), undefined);
      await record(tx, e, customerId, `cleaning requested at ${place} on ${requestDate}`, now);
    }),
    step(cleaning.KindRegistered, (e) => ({ status: "Paid", payKind: e.message.kind, number: e.message.number, description: `payment method registered: ${e.message.kind} ${e.message.number}` })),
    step(cleaning.KindChanged, (e) => ({ payKind: e.message.kind, description: `pay kind changed from ${e.message.previousKind} to ${e.message.kind}` })),
    step(cleaning.PaymethodDeleted, (e) => ({ description: `payment method deleted: ${e.message.kind} ${e.message.number}` })),
    step(cleaning.PaymethodAbandoned, (e) => ({ description: `payment method not registered: ${e.message.reason}` })),
    step(payment.PaymentApproved, () => ({ paymentStatus: "Approved", description: "payment completed (PayConfirmed)" })),
    step(payment.PaymentDeclined, (e) => ({ paymentStatus: "Declined", description: `payment declined: ${e.message.reason}` })),
    step(payment.PaymentCancelled, () => ({ paymentStatus: "Cancelled", description: "payment refunded (PayCancelConfirmed)" })),
    step(cleaning.CleaningConfirmed, () => ({ status: "CleaningConfirmed", description: "cleaning scheduled" })),
    step(cleaning.CleaningCompleted, () => ({ status: "CleaningCompleted", description: "cleaning completed" })),
    step(cleaning.CleaningCancelRequested, (e) => ({ description: `cancel requested: ${e.message.reason}` })),
    step(cleaning.cleanerAnswers.CancelConfirmed, () => ({ description: "cancel confirmed by the cleaner" })),
    step(cleaning.cleanerAnswers.CancelRefused, (e) => ({ cancelRefusal: e.message.reason, description: `cancel refused: ${e.message.reason}` })),
    step(cleaning.CleaningRequestCanceled, (e) => ({ status: "ReservationCanceled", description: `cleaning request cancelled: ${e.message.reason}` })),
  );
}
