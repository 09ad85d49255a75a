import { compensatedCalls, defineService, dependency, pendingCalls, pendingCallTimeout, serve } from "../../../mesh/index.js";
import { PaymethodService } from "../../../gen/cleaning/v1/paymethod_pb.js";
import { CleaningReservationService } from "../../../gen/cleaning/v1/reservation_pb.js";
import { PaymentService } from "../../../gen/payment/v1/payment_pb.js";
import { createPaymethodApi } from "./api.js";
import { abandonPaymethod } from "./domain.js";
import { createRegisterPaymethod } from "./register-paymethod.js";
import { paymentAttempts, paymethods } from "./tables.js";

/** cleaning's paymethod: the customer's payment methods; registering one pays for its request. */
export const paymethodContext = defineService({
  id: "cleaning-paymethod",
  port: 8123,
  serves: [PaymethodService],
  dependencies: { reservation: dependency("cleaning-reservation", CleaningReservationService), payment: dependency("payment", PaymentService) },
  tables: [paymethods, paymentAttempts, pendingCalls],
  config: (env) => ({ abandonPaymentAfterMs: pendingCallTimeout(env) }),
  start({ db, transact, repository, clients, config, logger }) {
    const rows = repository(paymethods);
    const payments = compensatedCalls({ db, transact, logger, events: paymethods.events!, compensation: abandonPaymethod, abandonAfterMs: config.abandonPaymentAfterMs });
    const register = createRegisterPaymethod({ paymethods: rows, attempts: repository(paymentAttempts), payments, ...clients });
    return { rpc: [serve(PaymethodService, createPaymethodApi(rows, register))], background: [payments.sweeper] };
  },
});
