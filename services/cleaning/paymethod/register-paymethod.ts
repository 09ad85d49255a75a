import { isRefusal, newId, refused, unavailable, wasNeverSent, type Client, type CompensatedCalls, type Repository } from "../../../mesh/index.js";
import { ReservationStatus, type CleaningReservation, type CleaningReservationService } from "../../../gen/cleaning/v1/reservation_pb.js";
import { PaymentStatus, type PaymentService } from "../../../gen/payment/v1/payment_pb.js";
import { attemptReference, registerPaymethod, releasePaymentAttempt, startPaymentAttempt, type PaymentAttempts, type Paymethod, type PaymethodEvent, type RequestToPay } from "./domain.js";

const statusName = (status: ReservationStatus) => ReservationStatus[status].toLowerCase().replace(/(?:^|_)([a-z])/g, (_, c: string) => c.toUpperCase());

function requestToPay(r: CleaningReservation): RequestToPay {
  const status = statusName(r.status);
  const price = { amount: r.price?.amount ?? 0n, currency: r.price?.currency ?? "KRW" };
  return { id: r.id, place: r.place, requestDate: r.requestDate, price, status, cancelPending: r.cancelRequestedAt !== undefined && r.cancelRefusal === "" };
}

// Payment down, too slow, or its answer lost: the attempt is compensated (refunded if payment took
// it; a call that never left this process is not, as the kit knows), and the next attempt pays
// under a reference of its own, so trying again works.
const payLater = () => unavailable("payment is unavailable right now; the payment method was not registered; try again shortly", 10_000);

// Payment answered without taking anything: nothing to refund.
function declined(reference: string, status: PaymentStatus | undefined, reason: string) {
  if (status === PaymentStatus.APPROVED) return undefined;
  // Its refund overtook it (payment declines a Pay that comes after its own Cancel): the request
  // was cancelled meanwhile, or this attempt was given up as lost.
  if (status === PaymentStatus.CANCELLED || reason === "cancelled before payment") {
    return refused(`payment ${reference} was cancelled before it was made (nothing was charged): the request was cancelled meanwhile, or this attempt was given up; try again`, "PAYMENT_CANCELLED");
  }
  return refused(`payment declined: ${reason || "no reason given"}`, "PAYMENT_DECLINED");
}

/**
 * Step 2 of the cleaning saga in one command: look the request up, start a payment attempt, pay
 * its price under the attempt's reference, and register the payment method with its
 * KindRegistered event. No payment, no payment method; and no payment kept without its payment
 * method, whichever process dies when (`payments`: compensated calls, keyed by the attempt).
 */
export function createRegisterPaymethod(deps: {
  paymethods: Repository<Paymethod, PaymethodEvent>; attempts: Repository<PaymentAttempts>; payments: CompensatedCalls;
  reservation: Client<typeof CleaningReservationService>; payment: Client<typeof PaymentService>;
}) {
  return async (command: { requestId: string; kind: string; digits: string }): Promise<Paymethod> => {
    const { cleaningReservation } = await deps.reservation.getCleaningReservation({ id: command.requestId }, {
      fallback: () => { throw unavailable("the reservation service is unavailable right now; nothing was paid; try again shortly", 5000); },
    });
    const request = requestToPay(cleaningReservation!);
    const existing = await deps.paymethods.find({ requestId: request.id });
    const started = await deps.attempts.decide({ requestId: request.id }, (attempts) => startPaymentAttempt(request, existing, attempts, new Date()));
    const reference = attemptReference(started);
    try {
      return await deps.payments.run(
        reference,
        // The method payment records is the kind alone: the card number never leaves this service.
        () => deps.payment.pay({ system: "cleaning", referenceId: reference, amount: request.price, method: command.kind }, { fallback: () => { throw payLater(); } }),
        async (tx, { payment }) => {
          // Decided again under the lock: an attempt that registered meanwhile wins, and this one's payment is voided (thrown: compensated).
          const current = await deps.paymethods.find({ requestId: request.id }, { tx, lock: true });
          const decision = registerPaymethod(newId(), command, request, { id: payment!.id, reference }, current, new Date());
          if (isRefusal(decision)) throw refused(`${decision.refused}; this payment is refunded`, decision.code);
          await deps.paymethods.record(tx, decision, undefined);
          return decision.state;
        },
        { refusal: ({ payment }) => declined(reference, payment?.status, payment?.reason ?? "") },
      );
    } catch (error) {
      // Payment never saw this reference: given back, the next attempt pays under it (else it merely takes the next number).
      if (wasNeverSent(error)) await deps.attempts.change({ requestId: request.id }, (a) => releasePaymentAttempt(a, reference, new Date())).catch(() => undefined);
      throw error;
    }
  };
}
