// The notification service against the real runtime, JetStream, both databases and a real
// webhook receiver on a local HTTP server.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { createClient, type Client } from "@connectrpc/connect";
import { catalogOf, defineEvent, formatMoney } from "../../mesh/index.js";
import { eventually, rpcError, startInProcess, testDialects, violatedFields, type InProcessService } from "../../mesh/testing/index.js";
import { NotificationSchema, NotificationService, NotificationStatus, type Notification } from "../../gen/notification/v1/notification_pb.js";
import { paymentEvents } from "../payment/events.js";
import { tell } from "./plug-in.js";
import { createNotificationService } from "./service.js";

// A system made for this test, registered as any system registers (notification imports none).
// Its events reuse the Notification message: a recipient, a reference and a text are all they need.
const Placed = defineEvent("shop.order", NotificationSchema, (e) => e.referenceId);
const Shipped = defineEvent("shop.parcel", NotificationSchema, (e) => e.referenceId);
const Abandoned = defineEvent("shop.checkout", NotificationSchema, (e) => e.referenceId);
const { PaymentCancelled } = paymentEvents("shop");
const shop = {
  name: "shop",
  messages: [
    tell(Placed, (e) => `Your order of ${e.message} is placed.`, (e) => e.recipient),
    tell(Shipped, (e) => `Your parcel is on its way to ${e.message}.`),
    tell(PaymentCancelled, (e) => `Your payment of ${formatMoney(e.amount!)} was refunded.`),
  ],
  neverMade: [Abandoned],
};
const notification = createNotificationService([shop]);
const catalog = catalogOf([{ name: "notification", contexts: [notification] }]);

// The receiver's behaviour is chosen by the recipient, so one service serves every case.
interface Hook { server: Server; url: string; requests: Array<{ key: string; recipient: string; message: string }> }

async function startWebhookReceiver(): Promise<Hook> {
  const requests: Hook["requests"] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const { recipient, message } = JSON.parse(body) as { recipient: string; message: string };
      const key = String(req.headers["idempotency-key"]);
      requests.push({ key, recipient, message });
      const tries = requests.filter((r) => r.key === key).length;
      const fail = recipient.startsWith("always-fail") || (recipient.startsWith("fail-twice") && tries <= 2);
      res.statusCode = fail ? 503 : 200;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, requests, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify` };
}

const sent = (n: Notification | undefined) => (n?.status === NotificationStatus.SENT ? n : undefined);

for (const dialect of testDialects) {
  describe(`notification service on ${dialect}`, () => {
    let hook: Hook;
    let svc: InProcessService;
    let client: Client<typeof NotificationService>;

    before(async () => {
      hook = await startWebhookReceiver();
      svc = await startInProcess(notification, catalog, dialect, {
        LOG_LEVEL: "debug",
        NOTIFICATION_CHANNEL: "webhook",
        NOTIFICATION_WEBHOOK_URL: hook.url,
        NOTIFICATION_MAX_ATTEMPTS: "3",
        NOTIFICATION_RETRY_BASE_MS: "50",
        NOTIFICATION_RETRY_MAX_MS: "200",
        NOTIFICATION_POLL_MS: "50",
        NOTIFICATION_RECIPIENT_WAIT_MS: "200",
      });
      client = createClient(NotificationService, svc.transport);
    });
    after(async () => {
      await svc?.stop();
      hook?.server.closeAllConnections();
      await new Promise((r) => hook?.server.close(r));
    });

    const placeOrder = (orderId: string, recipient: string, what = "3 roses", correlationId = `place-${orderId}`) =>
      svc.publish(Placed, { referenceId: orderId, recipient, message: what }, { correlationId });
    const listFor = async (recipient: string, referenceId: string) => (await client.listNotifications({ recipient, referenceId })).notifications;

    it("tells the customer about Placed and then Shipped, filed under the order and the command that caused each", async () => {
      const orderId = randomUUID();
      const phone = `010-${randomUUID().slice(0, 8)}`;
      await placeOrder(orderId, phone);
      await svc.publish(Shipped, { referenceId: orderId, message: "Seoul" }, { correlationId: `ship-${orderId}` });
      const listed = await eventually("two sent notifications", async () => {
        const list = await listFor(phone, orderId);
        return list.length === 2 && list.every(sent) ? list : undefined;
      });
      // Newest first.
      assert.deepEqual(listed.map((n) => [n.eventType, n.message, n.correlationId]), [
        ["shop.parcel.Notification", "Your parcel is on its way to Seoul.", `ship-${orderId}`],
        ["shop.order.Notification", "Your order of 3 roses is placed.", `place-${orderId}`],
      ]);
      for (const n of listed) {
        assert.equal(n.recipient, phone);
        assert.equal(n.referenceId, orderId);
        assert.equal(n.system, "shop");
        assert.equal(n.channel, "webhook");
        assert.equal(n.attempts, 1);
        assert.ok(n.sentAt);
      }
      assert.deepEqual(hook.requests.filter((r) => r.recipient === phone).map((r) => r.message).sort(), listed.map((n) => n.message).sort());
      assert.equal((await client.listNotifications({ system: "shop", referenceId: orderId })).notifications.length, 2);
      assert.equal((await client.listNotifications({ system: "resort", referenceId: orderId })).notifications.length, 0);
      assert.equal((await client.listNotifications({ recipient: "someone-else", referenceId: orderId })).notifications.length, 0);
      assert.deepEqual((await client.listNotifications({ correlationId: `ship-${orderId}` })).notifications.map((n) => n.id), [listed[0].id]);
    });

    it("holds an event that overtook the one naming the recipient until the recipient is known", async () => {
      const orderId = randomUUID();
      const phone = `010-${randomUUID().slice(0, 8)}`;
      const early = await svc.publish(Shipped, { referenceId: orderId, message: "Busan" });
      await eventually("the early event to be put off", async () =>
        svc.logs.some((l) => l.includes("policy will retry later") && l.includes(early)) || undefined);
      assert.deepEqual(await client.listNotifications({ referenceId: orderId }).then((r) => r.notifications), []);
      await placeOrder(orderId, phone);
      const listed = await eventually("both notifications", async () => {
        const list = await listFor(phone, orderId);
        return list.length === 2 && list.every(sent) ? list : undefined;
      });
      assert.deepEqual(listed.map((n) => n.eventType).sort(), ["shop.order.Notification", "shop.parcel.Notification"]);
      assert.match(listed.find((n) => n.eventType === "shop.parcel.Notification")!.message, /on its way to Busan/);
    });

    it("tells the customer about the refund, an event on payment's stream (payment.shop.PaymentCancelled)", async () => {
      const orderId = randomUUID();
      const phone = `010-${randomUUID().slice(0, 8)}`;
      await placeOrder(orderId, phone);
      await svc.publish(PaymentCancelled, {
        paymentId: "p-1", system: "shop", referenceId: orderId, amount: { amount: 36_000n, currency: "KRW" }, reason: "order cancelled",
      });
      const refund = await eventually("the refund notification", async () =>
        sent((await listFor(phone, orderId)).find((n) => n.eventType === "payment.shop.PaymentCancelled")));
      assert.equal(refund.message, "Your payment of 36,000 KRW was refunded.");
    });

    // An order whose payment went through but that was never saved (the answer came too late, say):
    // its refund names no recipient, and no event ever will.
    const refund = (orderId: string) => svc.publish(PaymentCancelled, {
      paymentId: `p-${orderId}`, system: "shop", referenceId: orderId, amount: { amount: 12_000n, currency: "KRW" }, reason: "order not placed: payment timed out",
    });
    const untoldRefund = async (orderId: string) => {
      const n = await eventually("the refund recorded", async () =>
        (await client.listNotifications({ referenceId: orderId })).notifications.find((x) => x.eventType === "payment.shop.PaymentCancelled"));
      assert.equal(n.status, NotificationStatus.FAILED);
      assert.equal(n.recipient, "");
      assert.equal(n.attempts, 0);
      assert.equal(n.message, "Your payment of 12,000 KRW was refunded.");
      assert.match(n.lastError, new RegExp(`^nobody to tell: shop ${orderId} was never made`));
      assert.equal(hook.requests.filter((r) => r.message === n.message && r.key === n.id).length, 0, "no channel tried it");
      return n;
    };

    it("records the refund of an order never made as untold at once, without waiting for a recipient", async () => {
      const orderId = randomUUID();
      const abandoned = await svc.publish(Abandoned, { referenceId: orderId, message: "payment timed out" });
      await eventually("OrderAbandoned handled", async () => svc.logs.some((l) => l.includes("event handled") && l.includes(abandoned)) || undefined);
      const refundId = await refund(orderId);
      await untoldRefund(orderId);
      assert.ok(!svc.logs.some((l) => l.includes("policy will retry later") && l.includes(refundId)), "it never waited for a recipient");
    });

    it("records a refund that overtook its order's OrderAbandoned as untold once that arrives", async () => {
      const orderId = randomUUID();
      const refundId = await refund(orderId);
      await eventually("the refund to be put off", async () =>
        svc.logs.some((l) => l.includes("policy will retry later") && l.includes(refundId)) || undefined);
      await svc.publish(Abandoned, { referenceId: orderId, message: "payment timed out" });
      await untoldRefund(orderId);
    });

    it("keeps telling the customer an order named when a stray OrderAbandoned of it arrives", async () => {
      const orderId = randomUUID();
      const phone = `010-${randomUUID().slice(0, 8)}`;
      await placeOrder(orderId, phone);
      await eventually("the order's notification sent", async () => sent((await listFor(phone, orderId))[0]));
      await svc.publish(Abandoned, { referenceId: orderId, message: "duplicate attempt" });
      await svc.publish(Shipped, { referenceId: orderId, message: "Incheon" });
      const shipped = await eventually("the parcel's notification sent", async () =>
        sent((await listFor(phone, orderId)).find((n) => n.eventType === "shop.parcel.Notification")));
      assert.equal(shipped.recipient, phone);
    });

    it("retries a failing webhook with backoff: sent on the third attempt", async () => {
      const orderId = randomUUID();
      const phone = `fail-twice-${randomUUID().slice(0, 8)}`;
      await placeOrder(orderId, phone);
      const n = await eventually("the notification sent", async () => sent((await listFor(phone, orderId))[0]));
      assert.equal(n.attempts, 3);
      const tries = hook.requests.filter((r) => r.recipient === phone);
      assert.equal(tries.length, 3);
      assert.ok(tries.every((r) => r.key === n.id), "every attempt carries the notification's id");
    });

    it("gives up on a webhook that always fails, keeps the notification as FAILED, and keeps handling events", async () => {
      const orderId = randomUUID();
      const phone = `always-fail-${randomUUID().slice(0, 8)}`;
      await placeOrder(orderId, phone);
      const failed = await eventually("the notification failed", async () => {
        const [n] = await listFor(phone, orderId);
        return n?.status === NotificationStatus.FAILED ? n : undefined;
      });
      assert.equal(failed.attempts, 3);
      assert.match(failed.lastError, /503/, "the last attempt's error is kept");
      assert.equal(hook.requests.filter((r) => r.recipient === phone).length, 3);

      // The failing channel blocks neither this customer's next event nor anyone else's.
      const other = randomUUID();
      const otherPhone = `010-${randomUUID().slice(0, 8)}`;
      await svc.publish(Shipped, { referenceId: orderId, message: "Daegu" });
      await placeOrder(other, otherPhone);
      await eventually("the other customer's notification sent", async () => sent((await listFor(otherPhone, other))[0]));
      const mine = await eventually("the next event recorded", async () => {
        const list = await listFor(phone, orderId);
        return list.length === 2 ? list : undefined;
      });
      assert.deepEqual(mine.map((n) => n.eventType), ["shop.parcel.Notification", "shop.order.Notification"]);
    });

    it("refuses a bad page size with INVALID_ARGUMENT naming it", async () => {
      const e = await rpcError(client.listNotifications({ pageSize: 1001, recipient: "x".repeat(129) }));
      assert.deepEqual(violatedFields(e), ["pageSize", "recipient"]);
    });
  });
}
