// The payment service against the real runtime, JetStream and both databases.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { Code, createClient, type Client } from "@connectrpc/connect";
import { catalogOf, defineEvent } from "../../mesh/index.js";
import { eventsHandled, eventually, rpcError, startInProcess, testDialects, violatedFields, type InProcessService, type SeenEvent } from "../../mesh/testing/index.js";
import { CancelRequestSchema, PaymentService, PaymentStatus } from "../../gen/payment/v1/payment_pb.js";
import { paymentEvents } from "./events.js";
import { refundWhen } from "./plug-in.js";
import { createPaymentService } from "./service.js";

// A system made for this test, registered as any system registers (payment imports none): its
// order's cancellation reuses CancelRequest, whose reference and reason are all a refund needs.
const OrderCancelled = defineEvent("shop.order", CancelRequestSchema, (e) => e.referenceId);
const paymentService = createPaymentService([{ name: "shop", refunds: [refundWhen(OrderCancelled, (e) => e.reason || "order cancelled")] }]);
const catalog = catalogOf([{ name: "payment", contexts: [paymentService] }]);
const refundPolicy = "cancelPaymentWhenCancelRequest";

const { PaymentApproved, PaymentDeclined, PaymentCancelled } = paymentEvents("shop");
const krw = (amount: bigint) => ({ amount, currency: "KRW" });
const newRef = () => `order-${randomUUID()}`;

for (const dialect of testDialects) {
  describe(`payment service on ${dialect}`, () => {
    let svc: InProcessService;
    let client: Client<typeof PaymentService>;
    let approved: SeenEvent<typeof PaymentApproved.schema>[];
    let declined: SeenEvent<typeof PaymentDeclined.schema>[];
    let cancelled: SeenEvent<typeof PaymentCancelled.schema>[];

    before(async () => {
      svc = await startInProcess(paymentService, catalog, dialect);
      client = createClient(PaymentService, svc.transport);
      approved = svc.watch(PaymentApproved);
      declined = svc.watch(PaymentDeclined);
      cancelled = svc.watch(PaymentCancelled);
    });
    after(async () => {
      await svc?.stop();
    });

    // The relay publishes in commit order: once a later payment's event is out, an earlier
    // one would have been too. So "nothing more was emitted" needs no sleep.
    const barrier = async () => {
      const referenceId = newRef();
      await client.pay({ system: "shop", referenceId, amount: krw(1n), method: "card" });
      await eventually("the barrier payment's event", async () => approved.find((e) => e.message.referenceId === referenceId) ? true : undefined);
    };
    const about = <E extends { message: { referenceId: string } }>(seen: E[], referenceId: string) => seen.filter((e) => e.message.referenceId === referenceId);

    it("approves a payment and emits PaymentApproved once, about the reference and filed under the paying command", async () => {
      const referenceId = newRef();
      const correlationId = `pay-${referenceId}`;
      const { payment } = await client.pay({ system: "shop", referenceId, amount: krw(36_000n), method: "card" }, { headers: { "x-correlation-id": correlationId } });
      assert.equal(payment?.status, PaymentStatus.APPROVED);
      assert.equal(payment?.amount?.amount, 36_000n);
      assert.equal(payment?.amount?.currency, "KRW");
      const [event] = await eventually("PaymentApproved", async () => about(approved, referenceId)[0] ? about(approved, referenceId) : undefined);
      assert.deepEqual([event.businessKey, event.correlationId, payment?.correlationId], [referenceId, correlationId, correlationId]);
      assert.deepEqual((await client.listPayments({ system: "shop", correlationId })).payments.map((p) => p.id), [payment?.id]);
      assert.deepEqual(
        { paymentId: event.message.paymentId, system: event.message.system, amount: event.message.amount?.amount },
        { paymentId: payment?.id, system: "shop", amount: 36_000n },
      );
      const { payment: fetched } = await client.getPayment({ id: payment!.id });
      assert.equal(fetched?.status, PaymentStatus.APPROVED);
      assert.equal(fetched?.referenceId, referenceId);
    });

    it("returns the first result when paying twice, and emits nothing new", async () => {
      const referenceId = newRef();
      const first = await client.pay({ system: "shop", referenceId, amount: krw(10_000n), method: "card" });
      const second = await client.pay({ system: "shop", referenceId, amount: krw(99_000n), method: "decline" });
      assert.equal(second.payment?.id, first.payment?.id);
      assert.equal(second.payment?.status, PaymentStatus.APPROVED);
      assert.equal(second.payment?.amount?.amount, 10_000n);
      await barrier();
      assert.equal(about(approved, referenceId).length, 1);
      assert.equal(about(declined, referenceId).length, 0);
      const { payments } = await client.listPayments({ system: "shop", referenceId });
      assert.equal(payments.length, 1);
    });

    it("gives concurrent first Pays one payment and one event, and concurrent Cancels one refund", async () => {
      const referenceId = newRef();
      const pays = await Promise.all([1n, 2n, 3n, 4n, 5n, 6n].map((n) =>
        client.pay({ system: "shop", referenceId, amount: krw(1_000n * n), method: "card" })));
      assert.equal(new Set(pays.map((r) => r.payment?.id)).size, 1);
      assert.equal(new Set(pays.map((r) => r.payment?.amount?.amount)).size, 1);
      const cancels = await Promise.all([1, 2, 3, 4].map(() => client.cancel({ system: "shop", referenceId, reason: "race" })));
      assert.ok(cancels.every((r) => r.payment?.status === PaymentStatus.CANCELLED));
      await barrier();
      assert.equal(about(approved, referenceId).length, 1);
      assert.equal(about(cancelled, referenceId).length, 1);
    });

    it("declines the test method \"decline\" with PaymentDeclined", async () => {
      const referenceId = newRef();
      const { payment } = await client.pay({ system: "shop", referenceId, amount: krw(5_000n), method: "decline" });
      assert.equal(payment?.status, PaymentStatus.DECLINED);
      assert.match(payment?.reason ?? "", /decline/);
      const [event] = await eventually("PaymentDeclined", async () => about(declined, referenceId)[0] ? about(declined, referenceId) : undefined);
      assert.equal(event.message.paymentId, payment?.id);
      // Paying again returns the decline, too.
      assert.equal((await client.pay({ system: "shop", referenceId, amount: krw(5_000n), method: "card" })).payment?.status, PaymentStatus.DECLINED);
    });

    it("refuses bad input with INVALID_ARGUMENT naming each field, and writes nothing", async () => {
      const referenceId = "r".repeat(65);
      const missing = await rpcError(client.pay({ system: "nope", referenceId: "", method: "card" }));
      assert.equal(missing.code, Code.InvalidArgument);
      assert.deepEqual(violatedFields(missing).sort(), ["amount", "referenceId", "system"]);

      const wrong = await rpcError(client.pay({ system: "shop", referenceId, amount: { amount: 0n, currency: "krw" }, method: "m".repeat(33) }));
      assert.equal(wrong.code, Code.InvalidArgument);
      assert.deepEqual(violatedFields(wrong).sort(), ["amount.amount", "amount.currency", "method", "referenceId"]);

      const cancel = await rpcError(client.cancel({ system: "", referenceId: "", reason: "x".repeat(201) }));
      assert.equal(cancel.code, Code.InvalidArgument);
      assert.deepEqual(violatedFields(cancel).sort(), ["reason", "referenceId", "system"]);

      assert.equal((await rpcError(client.getPayment({ id: "" }))).code, Code.InvalidArgument);
      assert.deepEqual(violatedFields(await rpcError(client.listPayments({ system: "" }))), ["system"]);

      const { payments } = await client.listPayments({ system: "shop", referenceId: referenceId.slice(0, 64) });
      assert.deepEqual(payments, []);
    });

    it("pages its list: a walk of small pages returns every payment once, newest first; a bad token names pageToken", async () => {
      const correlationId = `paging-${randomUUID()}`;
      const made: string[] = [];
      for (let i = 0; i < 7; i++) {
        const { payment } = await client.pay({ system: "shop", referenceId: randomUUID(), amount: krw(100n), method: "card" }, { headers: { "x-correlation-id": correlationId } });
        made.push(payment!.id);
      }
      const seen: string[] = [];
      let pageToken = "";
      do {
        const page = await client.listPayments({ system: "shop", correlationId, pageSize: 3, pageToken });
        assert.ok(page.payments.length <= 3);
        seen.push(...page.payments.map((p) => p.id));
        pageToken = page.nextPageToken;
      } while (pageToken);
      assert.deepEqual(seen, [...made].reverse());
      assert.deepEqual(violatedFields(await rpcError(client.listPayments({ system: "shop", pageToken: "garbage!" }))), ["pageToken"]);
      assert.deepEqual(violatedFields(await rpcError(client.listPayments({ system: "shop", pageSize: 5000 }))), ["pageSize"]);
    });

    it("answers NOT_FOUND for an unknown payment id", async () => {
      const error = await rpcError(client.getPayment({ id: randomUUID() }));
      assert.equal(error.code, Code.NotFound);
    });

    it("refunds an approved payment once; cancelling again changes nothing", async () => {
      const referenceId = newRef();
      const { payment: paid } = await client.pay({ system: "shop", referenceId, amount: krw(20_000n), method: "card" });
      const first = await client.cancel({ system: "shop", referenceId, reason: "customer asked" });
      assert.equal(first.payment?.status, PaymentStatus.CANCELLED);
      assert.equal(first.payment?.id, paid?.id);
      assert.equal(first.payment?.reason, "customer asked");
      const again = await client.cancel({ system: "shop", referenceId, reason: "again" });
      assert.equal(again.payment?.status, PaymentStatus.CANCELLED);
      assert.equal(again.payment?.reason, "customer asked");
      assert.deepEqual(again.payment?.updatedAt, first.payment?.updatedAt);
      await eventually("PaymentCancelled", async () => about(cancelled, referenceId)[0]);
      await barrier();
      assert.equal(about(cancelled, referenceId).length, 1);
      assert.equal(about(cancelled, referenceId)[0].businessKey, referenceId);
    });

    it("declines a Pay that arrives after its Cancel (cancelled before payment)", async () => {
      const referenceId = newRef();
      const tombstone = await client.cancel({ system: "shop", referenceId, reason: "gave up waiting" });
      assert.equal(tombstone.payment?.status, PaymentStatus.CANCELLED);
      assert.equal(tombstone.payment?.amount, undefined);
      const late = await client.pay({ system: "shop", referenceId, amount: krw(7_000n), method: "card" });
      assert.equal(late.payment?.status, PaymentStatus.DECLINED);
      assert.equal(late.payment?.reason, "cancelled before payment");
      await eventually("PaymentDeclined", async () => about(declined, referenceId)[0]);
      await barrier();
      assert.equal(about(approved, referenceId).length, 0);
      assert.equal(about(cancelled, referenceId).length, 0); // nothing was ever refunded
    });

    it("cancels the payment when the order is cancelled, once, however often it is said", async () => {
      const referenceId = newRef();
      await client.pay({ system: "shop", referenceId, amount: krw(15_000n), method: "card" });
      const handledBefore = await eventsHandled(svc.running, refundPolicy, "handled");
      const cause = await svc.publish(OrderCancelled, { referenceId, reason: "customer cancelled" }, { correlationId: `cancel-${referenceId}` });
      const [event] = await eventually("PaymentCancelled after OrderCancelled", async () => about(cancelled, referenceId)[0] ? about(cancelled, referenceId) : undefined);
      assert.equal(event.correlationId, `cancel-${referenceId}`, "the refund is filed under the cancelling command");
      assert.equal(event.message.reason, "customer cancelled");
      const { payments } = await client.listPayments({ system: "shop", referenceId });
      assert.equal(payments[0].status, PaymentStatus.CANCELLED);

      // The same event again (JetStream drops it as a duplicate) and a second cancellation of the
      // order (a new event id, so it reaches the policy): both taken, no second refund.
      await svc.publish(OrderCancelled, { referenceId }, { id: cause });
      await svc.publish(OrderCancelled, { referenceId, reason: "twice" });
      await eventually("the second cancellation handled", async () => (await eventsHandled(svc.running, refundPolicy, "handled")) - handledBefore === 2);
      assert.equal(await eventsHandled(svc.running, refundPolicy, "duplicate"), 0, "the repeated event never reached the policy");
      await barrier();
      assert.equal(about(cancelled, referenceId).length, 1);
    });

    it("leaves a tombstone when the order is cancelled before its payment", async () => {
      const referenceId = newRef();
      await svc.publish(OrderCancelled, { referenceId });
      const payment = await eventually("the tombstone", async () => (await client.listPayments({ system: "shop", referenceId })).payments[0]);
      assert.equal(payment.status, PaymentStatus.CANCELLED);
      const late = await client.pay({ system: "shop", referenceId, amount: krw(3_000n), method: "card" });
      assert.equal(late.payment?.status, PaymentStatus.DECLINED);
    });
  });
}

describe("payment service knobs", () => {
  let svc: InProcessService;
  let client: Client<typeof PaymentService>;
  before(async () => {
    svc = await startInProcess(paymentService, catalog, "sqlite", { PAYMENT_LATENCY_MS: "1500", PAYMENT_DECLINE_OVER: "100000" });
    client = createClient(PaymentService, svc.transport);
  });
  after(async () => {
    await svc?.stop();
  });

  it("declines an amount over PAYMENT_DECLINE_OVER", async () => {
    const referenceId = newRef();
    const ok = await client.pay({ system: "shop", referenceId, amount: krw(100_000n), method: "card" }, { timeoutMs: 30_000 });
    assert.equal(ok.payment?.status, PaymentStatus.APPROVED);
    const over = await client.pay({ system: "shop", referenceId: newRef(), amount: krw(100_001n), method: "card" }, { timeoutMs: 30_000 });
    assert.equal(over.payment?.status, PaymentStatus.DECLINED);
    assert.match(over.payment?.reason ?? "", /exceeds the limit of 100000/);
  });

  it("delays Pay by PAYMENT_LATENCY_MS before any work, so a call that gives up first leaves nothing behind", async () => {
    const referenceId = newRef();
    const error = await rpcError(client.pay({ system: "shop", referenceId, amount: krw(1_000n), method: "card" }, { timeoutMs: 200 }));
    assert.equal(error.code, Code.DeadlineExceeded);
    // Had the abandoned call gone on, it would have paid first (it started first) and this would return its amount.
    const retried = await client.pay({ system: "shop", referenceId, amount: krw(2_000n), method: "card" }, { timeoutMs: 30_000 });
    assert.equal(retried.payment?.amount?.amount, 2_000n);
    const { payments } = await client.listPayments({ system: "shop", referenceId });
    assert.equal(payments.length, 1);
  });
});
