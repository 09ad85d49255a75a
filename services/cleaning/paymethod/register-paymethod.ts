import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { isRefusal, newId, refused, unavailable, type Client, type CompensatedCalls, type Repository } from "../../../mesh/index.js";
import { ReservationStatus, type CleaningReservation, type CleaningReservationService } from "../../../gen/cleaning/v1/reservation_pb.js";
import { PaymentStatus, PayResponseSchema, type PaymentService } from "../../../gen/payment/v1/payment_pb.js";
import { checkPayable, registerPaymethod, type Paymethod, type PaymethodEvent, type RequestToPay } from "./domain.js";

const statusName = (status: ReservationStatus) => ReservationStatus[status].toLowerCase().replace(/(?:^|_)([a-z])/g, (_, c: string) => c.toUpperCase());

function requestToPay(r: CleaningReservation): RequestToPay {
  const status = statusName(r.status);
  const price = { amount: r.price?.amount ?? 0n, currency: r.price?.currency ?? "KRW" };
  return { id: r.id, place: r.place, requestDate: r.requestDate, price, status, cancelPending: r.cancelRequestedAt !== undefined && r.cancelRefusal === "" };
}

// The pending-call note is keyed by the request: a second registration of the same request while
// the first is paying cannot write its own, and is told to wait.
const isDuplicateKey = (error: unknown) => {
  const code = String((error as { code?: unknown } | null)?.code ?? "");
  return code === "ER_DUP_ENTRY" || code.startsWith("SQLITE_CONSTRAINT");
};

// A call that never left this process (breaker open, bulkhead full, no connection): payment cannot
// have taken anything, so there is nothing to undo. Undoing it anyway would leave a cancellation
// on the request at payment (idempotent per request), and the request could never be paid.
const neverSent = (error: ConnectError) =>
  error.code === Code.Unavailable && /circuit breaker open|too many calls waiting|No connection established|ECONNREFUSED/.test(error.rawMessage);
const payLater = () => unavailable("payment is unavailable right now; the payment method was not registered; try again shortly", 10_000);

// Payment is idempotent on (system, request): an attempt undone earlier (payment down or too slow)
// left its cancellation there, and this request can no longer be paid.
function declined(requestId: string, status: PaymentStatus | undefined, reason: string) {
  if (status === PaymentStatus.APPROVED) return undefined;
  if (status === undefined) return payLater();
  if (status === PaymentStatus.CANCELLED || reason === "cancelled before payment") {
    return refused(`an earlier payment attempt for cleaning request ${requestId} was undone (nothing was charged); apply for a new cleaning`, "PAYMENT_UNDONE");
  }
  return refused(`payment declined: ${reason || "no reason given"}`, "PAYMENT_DECLINED");
}

/**
 * Step 2 of the cleaning saga in one command: look the request up, pay its price, and register the
 * payment method with its KindRegistered event. No payment, no payment method; and no payment kept
 * without its payment method, whichever process dies when (`payments`: compensated calls).
 */
export function createRegisterPaymethod(deps: {
  paymethods: Repository<Paymethod, PaymethodEvent>; payments: CompensatedCalls;
  reservation: Client<typeof CleaningReservationService>; payment: Client<typeof PaymentService>;
}) {
  return async (command: { requestId: string; kind: string; digits: string }): Promise<Paymethod> => {
    const { cleaningReservation } = await deps.reservation.getCleaningReservation({ id: command.requestId }, {
      fallback: () => { throw unavailable("the reservation service is unavailable right now; nothing was paid; try again shortly", 5000); },
    });
    const request = requestToPay(cleaningReservation!);
    const existing = await deps.paymethods.find({ requestId: request.id });
    const refusal = checkPayable(request, existing);
    if (refusal) throw refused(refusal.refused, refusal.code);

    let called = false;
    try {
      const outcome = await deps.payments.run(
        request.id,
        () => {
          called = true;
          // The method payment records is the kind alone: the card number never leaves this service.
          return deps.payment.pay(
            { system: "cleaning", referenceId: request.id, amount: request.price, method: command.kind },
            {
              fallback: (error) => {
                if (neverSent(error)) return create(PayResponseSchema, {}); // no payment: answered as pay-later, nothing compensated
                throw payLater(); // it may have reached payment: compensated (refunded if it was taken)
              },
            },
          );
        },
        async (tx, { payment }) => {
          // Decided again under the lock: a registration that won meanwhile keeps this one from being saved (and its payment, the same one, from a refund).
          const current = await deps.paymethods.find({ requestId: request.id }, { tx, lock: true });
          const decision = registerPaymethod(newId(), command, request, payment!.id, current, new Date());
          if (!isRefusal(decision)) await deps.paymethods.record(tx, decision, undefined);
          return decision;
        },
        // Declined (or undone before): nothing was taken, so nothing is refunded.
        { refusal: ({ payment }) => declined(request.id, payment?.status, payment?.reason ?? "") },
      );
      if (isRefusal(outcome)) throw refused(outcome.refused, outcome.code);
      return outcome.state;
    } catch (error) {
      if (!called && isDuplicateKey(error)) throw new ConnectError(`a payment method for cleaning request ${request.id} is being registered right now; try again`, Code.Aborted);
      throw error;
    }
  };
}
