import { isRefusal, refused, unavailable, type Client, type CompensatedCalls, type Repository } from "../../../mesh/index.js";
import { PaymentStatus, type PaymentService } from "../../../gen/payment/v1/payment_pb.js";
import { checkPaymentCancellable, paymentCancelled, paymentReferenceOf, recordPayment, startPayment, type Reservation, type ReservationEvent } from "./domain.js";

/**
 * Steps 6 and 7: paying and cancelling the payment, both synchronous with payment. Paid only when
 * approved; no payment kept without its reservation whichever process dies (`payments`:
 * compensated calls, each attempt under its own reference so that a lost one is voided alone).
 */
export function createPayments(deps: { reservations: Repository<Reservation, ReservationEvent>; payments: CompensatedCalls; payment: Client<typeof PaymentService> }) {
  const { reservations } = deps;
  return {
    async pay(id: string, method: string): Promise<Reservation> {
      const current = await reservations.get(id);
      if (current.paymentStatus === "Paid" && current.reservationStatus === "Reserved") return current;
      const started = await reservations.change(id, (r) => startPayment(r, new Date()));
      const reference = paymentReferenceOf(id, started.payAttempts);
      const paid = await deps.payments.run(
        reference,
        () => deps.payment.pay(
          { system: "rental", referenceId: reference, amount: started.itemPrice, method },
          { fallback: () => { throw unavailable("payment is unavailable right now; nothing was charged; please pay later", 10_000); } },
        ),
        async (tx, { payment }) => {
          const outcome = await reservations.apply(tx, id, (r) => r && recordPayment(r, reference, payment!.id, new Date()));
          // Closed or paid meanwhile: thrown, so the compensated call voids this payment.
          if (!outcome || isRefusal(outcome)) throw refused(outcome?.refused ?? `reservation ${id} is gone`, outcome?.code);
          return outcome.state;
        },
        { refusal: ({ payment }) => (payment?.status === PaymentStatus.APPROVED ? undefined : refused(`payment declined: ${payment?.reason || "no reason given"}`, "PAYMENT_DECLINED")) },
      );
      return paid;
    },

    async cancelPayment(id: string, reason: string): Promise<Reservation> {
      const current = await reservations.get(id);
      const refusal = checkPaymentCancellable(current);
      if (refusal) throw refused(refusal.refused, refusal.code);
      const reference = current.paymentReference;
      const { payment } = await deps.payment.cancel(
        { system: "rental", referenceId: reference, reason },
        { fallback: () => { throw unavailable("payment is unavailable right now; the payment stands; try cancelling again later", 10_000); } },
      );
      if (payment?.status !== PaymentStatus.CANCELLED) throw refused(`payment ${reference} could not be cancelled (${payment?.reason || "status " + payment?.status})`, "NOT_CANCELLED");
      return reservations.change(id, (r) => paymentCancelled(r, reference, reason, new Date()));
    },
  };
}
