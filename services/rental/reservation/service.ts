import { compensatedCalls, defineService, dependency, pendingCalls, pendingCallTimeout, serve } from "../../../mesh/index.js";
import { ItemService } from "../../../gen/rental/v1/item_pb.js";
import { ItemHoldService } from "../../../gen/rental/v1/item_hold_pb.js";
import { ReservationService } from "../../../gen/rental/v1/reservation_pb.js";
import { PaymentService } from "../../../gen/payment/v1/payment_pb.js";
import { createReservationApi } from "./api.js";
import { voidPayment } from "./domain.js";
import { createPayments } from "./pay.js";
import { createReservationPolicies } from "./policies.js";
import { createReserve } from "./reserve.js";
import { knownItems, reservations } from "./tables.js";

/** rental's reservation: the renter's reservations and payments. */
export const reservationContext = defineService({
  id: "rental-reservation",
  port: 8112,
  serves: [ReservationService],
  dependencies: { item: dependency("rental-item", ItemService), itemHold: dependency("rental-item", ItemHoldService), payment: dependency("payment", PaymentService) },
  tables: [reservations, knownItems, pendingCalls],
  config: (env) => ({ abandonPaymentAfterMs: pendingCallTimeout(env) }),
  start({ db, transact, repository, clients, config, logger }) {
    const [reservationRows, knownRows] = [repository(reservations), repository(knownItems)];
    const payments = compensatedCalls({ db, transact, logger, events: reservations.events!, compensation: voidPayment, abandonAfterMs: config.abandonPaymentAfterMs });
    const reserve = createReserve({ reservations: reservationRows, knownItems: knownRows, item: clients.item });
    const pay = createPayments({ reservations: reservationRows, payments, payment: clients.payment, itemHold: clients.itemHold });
    return {
      rpc: [serve(ReservationService, createReservationApi(reservationRows, reserve, pay))],
      policies: createReservationPolicies(reservationRows, knownRows),
      background: [payments.sweeper],
    };
  },
});
