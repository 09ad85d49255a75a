import { defineService, serve } from "../../mesh/index.js";
import { PaymentService } from "../../gen/payment/v1/payment_pb.js";
import { createPaymentApi } from "./api.js";
import { readPaymentConfig } from "./config.js";
import type { PaymentRegistration } from "./plug-in.js";
import { cancelPaymentPolicies } from "./policies.js";
import { payments } from "./tables.js";

/**
 * Payment, the general domain every system pays through: its RPCs, and the refunds each system
 * registered (services/catalog.ts hands them in; payment imports no system).
 */
export function createPaymentService(systems: readonly PaymentRegistration[]) {
  return defineService({
    id: "payment",
    port: 8084,
    serves: [PaymentService],
    tables: [payments],
    config: readPaymentConfig,
    start: ({ repository, config }) => {
      const rows = repository(payments);
      return {
        rpc: [serve(PaymentService, createPaymentApi(rows, config, systems.map((s) => s.name)))],
        policies: cancelPaymentPolicies(systems, rows),
      };
    },
  });
}
