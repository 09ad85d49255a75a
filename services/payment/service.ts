import { defineService, serve } from "../../mesh/index.js";
import { PaymentService } from "../../gen/payment/v1/payment_pb.js";
import { createPaymentApi } from "./api.js";
import { compensations } from "./compensations.js";
import { readPaymentConfig } from "./config.js";
import { cancelPaymentPolicies } from "./policies.js";
import { migrations } from "./store.js";

/** Payment, the general domain every system pays through: its RPCs and its compensation policies. */
export const paymentService = defineService({
  id: "payment",
  // Its own stream, plus each system whose cancellations it compensates.
  streams: ["payment", ...new Set(compensations.map((c) => c.system))],
  migrations,
  config: readPaymentConfig,
  start: ({ db, transact, config }) => ({
    rpc: [serve(PaymentService, createPaymentApi({ db, transact, config }))],
    policies: cancelPaymentPolicies(compensations),
  }),
});
