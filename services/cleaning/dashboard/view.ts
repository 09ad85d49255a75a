import type { DescMessage } from "@bufbuild/protobuf";
import { decide, newId, on, policy, RetryLaterError, type EventType, type ReceivedEvent, type Repository, type Transaction } from "../../../mesh/index.js";
import { idOfPaymentReference, paymentAttemptOf } from "../../../mesh/kernel/index.js";
import { paymentEvents } from "../../payment/events.js";
import * as cleaning from "../events.js";
import { cleaningMessages } from "../notifications.js";
import { furtherStatus } from "../reservation/domain.js";
import type { CustomerMessage, DashBoardRow, DashBoardStep, MessageEvent, PaymentState } from "./tables.js";

// The dashboard projection (CQRS): one policy over every event of a request. Each event updates
// the request's row, adds its step, and leaves the customer's message where it has one. Payment's
// events, and the two that void one payment attempt, are keyed by the attempt's payment reference
// ("<requestId>.2" for a retry): their row is the request's all the same.

/** What one event says of a payment attempt: its state, or (KindRegistered) that it is the one kept. */
type PaymentNews = { reference: string; state: PaymentState } | { reference: string; kept: true };

/** What one event changes in its request's row, and how its step reads. */
type Change = Partial<Pick<DashBoardRow, "status" | "payKind" | "number" | "cancelRefusal">> & { payment?: PaymentNews; description: string };

type ShownPayment = Partial<Pick<DashBoardRow, "paymentStatus" | "paymentReference" | "paymentKept">>;

const payment = paymentEvents("cleaning");
/** A refund is the last word on a payment. */
const paymentRank: Record<PaymentState, number> = { Approved: 0, Declined: 0, Cancelled: 1 };
const texts = new Map(cleaningMessages.map((m) => [m.event.subject, m.text]));

/**
 * The payment a row shows after `news`: the attempt that paid, once KindRegistered named it;
 * before that the latest attempt (a retry's news outranks an earlier attempt's, whatever order
 * they arrive in); within one attempt a refund is the last word.
 */
function shownPayment(row: DashBoardRow, news: PaymentNews): ShownPayment {
  if ("kept" in news) return row.paymentReference === news.reference ? { paymentKept: true } : { paymentReference: news.reference, paymentStatus: "Approved", paymentKept: true };
  if (row.paymentReference === news.reference) return paymentRank[news.state] >= paymentRank[row.paymentStatus ?? "Approved"] ? { paymentStatus: news.state } : {};
  if (row.paymentKept) return {}; // another attempt than the one that paid: declined or voided
  if (row.paymentReference && paymentAttemptOf(news.reference) < paymentAttemptOf(row.paymentReference)) return {};
  return { paymentReference: news.reference, paymentStatus: news.state };
}

/** The projection, writing the view's rows, steps and messages. */
export function createDashBoardProjection(rows: Repository<DashBoardRow>, stepRows: Repository<DashBoardStep>, messageRows: Repository<CustomerMessage, MessageEvent>) {
  const note = async (tx: Transaction, event: ReceivedEvent, requestId: string, change: Change) => {
    const now = new Date();
    const row = await rows.find(requestId, { tx, lock: true });
    // Every other event of a request follows its CleaningRequested, which may still be on its way.
    if (!row) throw new RetryLaterError(`cleaning request ${requestId} not seen yet`, 200);
    const { description, status: reported, payKind, number, payment: news, cancelRefusal } = change;
    // Events of a request may arrive out of order (one waits for its CleaningRequested): each field only moves forward.
    const status = reported ? furtherStatus(row.status, reported) : row.status;
    const kind = payKind !== undefined && (!row.payKindAt || event.occurredAt >= row.payKindAt) ? { payKind, number: number ?? row.number, payKindAt: event.occurredAt } : {};
    const paid = news ? shownPayment(row, news) : {};
    await rows.record(tx, decide({ ...row, ...kind, ...paid, cancelRefusal: cancelRefusal ?? row.cancelRefusal, status, updatedAt: now }), row);
    await record(tx, event, requestId, row.customerId, description, now);
  };
  const record = async (tx: Transaction, event: ReceivedEvent, requestId: string, customerId: string, description: string, now: Date) => {
    const { id: eventId, type, correlationId, occurredAt } = event;
    await stepRows.record(tx, decide({ eventId, requestId, event: type.name, description: description.slice(0, 300), correlationId, occurredAt, recordedAt: now }), undefined);
    const text = texts.get(type.subject)?.(event.message);
    if (!text) return;
    const message: CustomerMessage = { id: newId(), requestId, recipient: customerId, message: text.slice(0, 1000), eventType: type.subject, correlationId, createdAt: now };
    await messageRows.record(tx, decide(message, { type: "MessageAlerted", messageId: message.id, requestId, recipient: customerId, message: message.message }), undefined);
  };
  // The request an event is about: its business key, or the id of the payment reference it is keyed by.
  const step = <D extends DescMessage>(type: EventType<D>, change: (e: ReceivedEvent<D>) => Change) =>
    on(type, (e, tx) => note(tx, e, idOfPaymentReference(e.businessKey), change(e)));

  return policy("updateDashBoardWhenRequestChanged",
    on(cleaning.CleaningRequested, async (e, tx) => {
      const { requestId, place, requestDate, price, customerId } = e.message;
      const now = new Date();
      const row: DashBoardRow = {
        requestId, status: "ReservationApply", place, requestDate, price: { amount: price?.amount ?? 0n, currency: price?.currency ?? "KRW" }, customerId,
        payKind: "", number: "", paymentReference: "", paymentKept: false, cancelRefusal: "", createdAt: now, updatedAt: now,
      };
      // A redelivery finds its row: the inbox makes that rare, and it changes nothing.
      if (await rows.find(requestId, { tx, lock: true })) return;
      await rows.record(tx, decide(row), undefined);
      await record(tx, e, requestId, customerId, `cleaning requested at ${place} on ${requestDate}`, now);
    }),
    step(cleaning.KindRegistered, (e) => ({
      status: "Paid", payKind: e.message.kind, number: e.message.number, payment: { reference: e.message.paymentReference || e.message.requestId, kept: true },
      description: `payment method registered: ${e.message.kind} ${e.message.number}`,
    })),
    step(cleaning.KindChanged, (e) => ({ payKind: e.message.kind, description: `pay kind changed from ${e.message.previousKind} to ${e.message.kind}` })),
    step(cleaning.PaymethodDeleted, (e) => ({ description: `payment method deleted: ${e.message.kind} ${e.message.number}` })),
    step(cleaning.PaymethodAbandoned, (e) => ({ description: `payment method not registered (payment ${e.businessKey} voided): ${e.message.reason}` })),
    step(payment.PaymentApproved, (e) => ({ payment: { reference: e.businessKey, state: "Approved" }, description: `payment ${e.businessKey} completed (PayConfirmed)` })),
    step(payment.PaymentDeclined, (e) => ({ payment: { reference: e.businessKey, state: "Declined" }, description: `payment ${e.businessKey} declined: ${e.message.reason}` })),
    step(payment.PaymentCancelled, (e) => ({ payment: { reference: e.businessKey, state: "Cancelled" }, description: `payment ${e.businessKey} refunded (PayCancelConfirmed)` })),
    step(cleaning.CleaningConfirmed, () => ({ status: "CleaningConfirmed", description: "cleaning scheduled" })),
    step(cleaning.CleaningCompleted, () => ({ status: "CleaningCompleted", description: "cleaning completed" })),
    step(cleaning.CleaningCancelRequested, (e) => ({ description: `cancel requested: ${e.message.reason}` })),
    step(cleaning.cleanerAnswers.CancelConfirmed, () => ({ description: "cancel confirmed by the cleaner" })),
    step(cleaning.cleanerAnswers.CancelRefused, (e) => ({ cancelRefusal: e.message.reason, description: `cancel refused: ${e.message.reason}` })),
    step(cleaning.CleaningRequestCanceled, (e) => ({ status: "ReservationCanceled", description: `cleaning request cancelled: ${e.message.reason}` })),
    step(cleaning.CleaningPaymentVoided, (e) => ({ description: `payment ${e.message.paymentReference} voided: ${e.message.reason}` })),
  );
}
