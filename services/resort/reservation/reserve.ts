import { refused, unavailable, newId, type Client, type CompensatedCalls, type Repository } from "../../../mesh/index.js";
import { PaymentStatus, type PaymentService } from "../../../gen/payment/v1/payment_pb.js";
import { reserve, type Reservation, type ReservationEvent, type Reserve } from "./domain.js";

/**
 * Step 1 of the resort saga in one command: pay, and save the reservation with its Reserved
 * event. No payment, no reservation; and no payment kept without its reservation, whichever
 * process dies when (`payments`: compensated calls). Payment overloaded or down: the breaker
 * opens and the customer is told at once to try again shortly.
 */
export function createReserve(deps: { reservations: Repository<Reservation, ReservationEvent>; payments: CompensatedCalls; payment: Client<typeof PaymentService> }) {
  return async (command: Reserve): Promise<Reservation> => {
    const reservationId = newId();
    const saved = await deps.payments.run(
      reservationId,
      () => deps.payment.pay(
        { system: "resort", referenceId: reservationId, amount: command.cost, method: command.paymentType },
        { fallback: () => { throw unavailable("payment is busy right now; please try your reservation again shortly", 10_000); } },
      ),
      async (tx, { payment }) => {
        const decision = reserve(reservationId, command, payment!.id, new Date());
        await deps.reservations.record(tx, decision, undefined);
        return decision;
      },
      // Declined: nothing was taken, so nothing is refunded.
      { refusal: ({ payment }) => (payment?.status === PaymentStatus.APPROVED ? undefined : refused(`payment declined: ${payment?.reason || "no reason given"}`, "PAYMENT_DECLINED")) },
    );
    return saved.state;
  };
}
