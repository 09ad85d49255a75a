import { compensatedCalls, defineService, dependency, pendingCalls, pendingCallTimeout, serve } from "../../../mesh/index.js";
import { PaymentService } from "../../../gen/payment/v1/payment_pb.js";
import { ReservationService } from "../../../gen/resort/v1/reservation_pb.js";
import { createReservationApi } from "./api.js";
import { abandonReservation } from "./domain.js";
import { createReservationPolicies } from "./policies.js";
import { createReserve } from "./reserve.js";
import { reservations } from "./tables.js";

/** resort's reservation: the customer reserves (paying in the same command) and cancels. */
export const reservationContext = defineService({
  id: "resort-reservation",
  port: 8091,
  serves: [ReservationService],
  dependencies: { payment: dependency("payment", PaymentService) },
  tables: [reservations, pendingCalls],
  config: (env) => ({ abandonPaymentAfterMs: pendingCallTimeout(env) }),
  start({ db, transact, repository, clients, config, logger }) {
    const rows = repository(reservations);
    const payments = compensatedCalls({ db, transact, logger, events: reservations.events!, compensation: abandonReservation, abandonAfterMs: config.abandonPaymentAfterMs });
    const reserve = createReserve({ reservations: rows, payments, payment: clients.payment });
    return {
      rpc: [serve(ReservationService, createReservationApi(rows, reserve))],
      policies: createReservationPolicies(rows),
      background: [payments.sweeper],
    };
  },
});
