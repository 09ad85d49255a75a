import { isRefusal, refused, unavailable, type Client, type CompensatedCalls, type Repository } from "../../../mesh/index.js";
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { CancelResponseSchema, PaymentStatus, type PaymentService } from "../../../gen/payment/v1/payment_pb.js";
import type { ItemHoldService } from "../../../gen/rental/v1/item_hold_pb.js";
import { checkPaymentCancellable, paymentCancelled, paymentReferenceOf, recordPayment, startPayment, type Reservation, type ReservationEvent } from "./domain.js";

/**
 * Steps 6 and 7: paying (synchronous with payment) and cancelling the payment (decided by the item). Paid only when
 * approved; no payment kept without its reservation whichever process dies (`payments`:
 * compensated calls, each attempt under its own reference so that a lost one is voided alone).
 */
export function createPayments(deps: {
  reservations: Repository<Reservation, ReservationEvent>; payments: CompensatedCalls; payment: Client<typeof PaymentService>; itemHold: Client<typeof ItemHoldService>;
}) {
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

    /**
     * The item decides first, against renting out (it is the authority on that): refused once
     * rented out; otherwise it will not be rented out on this payment. Only then is the payment
     * cancelled here, and refunded: at once when payment is up, and in any case from the outbox
     * (ReservationPaymentVoided), both idempotent per reference.
     */
    async cancelPayment(id: string, reason: string): Promise<Reservation> {
      const current = await reservations.get(id);
      const refusal = checkPaymentCancellable(current);
      if (refusal) throw refused(refusal.refused, refusal.code);
      const reference = current.paymentReference;
      await deps.itemHold.releasePayment({ itemNo: current.itemNo, reservationNo: id, paymentReference: reference }, {
        fallback: (error) => {
          throw unavailable(`the item could not decide whether it is rented out (${Code[error.code]}: ${error.rawMessage}); the payment stands; try again shortly`, 5000);
        },
      });
      // Recorded at once, as the item now stands: the outbox's ReservationPaymentVoided refunds it even while payment is down.
      const cancelled = await reservations.change(id, (r) => paymentCancelled(r, reference, reason, new Date()));
      // And when payment is up, the renter sees it refunded before the answer; anything else is the outbox's to finish.
      await deps.payment.cancel({ system: "rental", referenceId: reference, reason }, { fallback: () => create(CancelResponseSchema) }).catch(() => undefined);
      return cancelled;
    },
  };
}
