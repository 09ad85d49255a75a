import type { EnvReader } from "../../mesh/index.js";

/** The payment service's own settings. */
export interface PaymentConfig {
  /** Delay before every Pay and Cancel, to demonstrate timeouts and breakers (PAYMENT_LATENCY_MS). */
  latencyMs: number;
  /** Amounts above this are declined; 0 means no limit (PAYMENT_DECLINE_OVER). */
  declineOver: bigint;
}

/** Reads the payment service's settings from the environment. */
export function readPaymentConfig(env: EnvReader): PaymentConfig {
  return {
    latencyMs: env.int("PAYMENT_LATENCY_MS", 0, { min: 0, max: 60_000 }),
    declineOver: BigInt(env.int("PAYMENT_DECLINE_OVER", 0, { min: 0, max: Number.MAX_SAFE_INTEGER })),
  };
}
