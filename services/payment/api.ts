import { setTimeout as sleep } from "node:timers/promises";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import type { Knex } from "knex";
import { notFound, type Transact } from "../../mesh/index.js";
import { PaymentStatus, type PaymentSchema, type PaymentService } from "../../gen/payment/v1/payment_pb.js";
import { cancelInTransaction, payInTransaction } from "./commands.js";
import type { PaymentConfig } from "./config.js";
import type { Payment } from "./domain.js";
import { cancelCommand, listFilter, payCommand, paymentId } from "./requests.js";
import { ConcurrentChangeError, findById, listPayments } from "./store.js";

const maxListed = 1000;

/** PaymentService's handlers: protobuf in, the domain's decision through one transaction, protobuf out. */
export function createPaymentApi(deps: { db: Knex; transact: Transact; config: PaymentConfig }): ServiceImpl<typeof PaymentService> {
  const { db, transact, config } = deps;
  const rules = { declineOver: config.declineOver };
  return {
    async pay(req, ctx) {
      await pause(config.latencyMs, ctx.signal);
      const command = payCommand(req, config.systems);
      const payment = await retryOnConflict(() => transact((tx) => payInTransaction(tx, command, rules)));
      return { payment: toMessage(payment) };
    },
    async cancel(req, ctx) {
      await pause(config.latencyMs, ctx.signal);
      const command = cancelCommand(req, config.systems);
      const payment = await retryOnConflict(() => transact((tx) => cancelInTransaction(tx, command)));
      return { payment: toMessage(payment) };
    },
    async getPayment(req) {
      const id = paymentId(req.id);
      const payment = await findById(db, id);
      if (!payment) throw notFound("payment", id);
      return { payment: toMessage(payment) };
    },
    async listPayments(req) {
      const payments = await listPayments(db, listFilter(req, config.systems), maxListed);
      return { payments: payments.map(toMessage) };
    },
  };
}

// The configured slowness comes first, so a caller's deadline and breaker see all of it.
async function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (ms > 0) await sleep(ms, undefined, { signal });
}

// Two first Pays (or Cancels) of one reference race: the loser decides again on the winner's row.
async function retryOnConflict<T>(work: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof ConcurrentChangeError) || attempt >= attempts) throw error;
    }
  }
}

const statuses = {
  approved: PaymentStatus.APPROVED,
  declined: PaymentStatus.DECLINED,
  cancelled: PaymentStatus.CANCELLED,
} as const;

function toMessage(p: Payment): MessageInitShape<typeof PaymentSchema> {
  return {
    id: p.id,
    system: p.system,
    referenceId: p.referenceId,
    amount: p.amount ?? undefined,
    method: p.method,
    status: statuses[p.status],
    reason: p.reason,
    createdAt: timestampFromDate(p.createdAt),
    updatedAt: timestampFromDate(p.updatedAt),
  };
}
