import { setTimeout as sleep } from "node:timers/promises";
import type { ServiceImpl } from "@connectrpc/connect";
import { newId, toMessage, type Repository } from "../../mesh/index.js";
import { PaymentSchema, type PaymentService } from "../../gen/payment/v1/payment_pb.js";
import type { PaymentConfig } from "./config.js";
import { decideCancel, decidePay, type Payment, type PaymentEvent } from "./domain.js";
import { cancelCommand, listFilter, payCommand, paymentId } from "./requests.js";

const message = (payment: Payment) => toMessage(PaymentSchema, payment);

/** PaymentService's handlers: each validates its request, then decides on the payment of (system, referenceId). */
export function createPaymentApi(payments: Repository<Payment, PaymentEvent>, config: PaymentConfig, systems: readonly string[]): ServiceImpl<typeof PaymentService> {
  const rules = { declineOver: config.declineOver };
  const context = () => ({ newId, now: new Date() });
  return {
    async pay(req, ctx) {
      await pause(config.latencyMs, ctx.signal);
      const command = payCommand(req, systems);
      const { system, referenceId } = command;
      return { payment: message(await payments.decide({ system, referenceId }, (existing) => decidePay(existing, command, rules, context()))) };
    },
    async cancel(req, ctx) {
      await pause(config.latencyMs, ctx.signal);
      const command = cancelCommand(req, systems);
      const { system, referenceId } = command;
      return { payment: message(await payments.decide({ system, referenceId }, (existing) => decideCancel(existing, command, context()))) };
    },
    async getPayment(req) {
      return { payment: message(await payments.get(paymentId(req.id))) };
    },
    async listPayments(req) {
      const { items, nextPageToken } = await payments.page({ where: listFilter(req, systems), by: "createdAt", pageSize: req.pageSize, pageToken: req.pageToken });
      return { payments: items.map(message), nextPageToken };
    },
  };
}

// The configured slowness comes first, so a caller's deadline and breaker see all of it.
async function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (ms > 0) await sleep(ms, undefined, { signal });
}
