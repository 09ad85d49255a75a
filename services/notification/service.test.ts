// The notification service against the real runtime, JetStream, both databases and a real
// webhook receiver on a local HTTP server.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { eventually } from "../../mesh/index.js";
import { BadRequestSchema } from "../../gen/google/rpc/error_details_pb.js";
import { NotificationService, NotificationStatus, type Notification } from "../../gen/notification/v1/notification_pb.js";
import { catalog } from "../catalog.js";
import { DeliveryStarted, FlowerWrapped, OrderPlaced } from "../flower/events.js";
import { paymentEvents } from "../payment/events.js";
import { startInProcess, testDialects, type InProcessService } from "../../mesh/index.js";
import { notificationService } from "./service.js";

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
      svc = await startInProcess(notificationService, catalog, dialect, {
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

    const placeOrder = (orderId: string, phoneNumber: string, qty = 2) =>
      svc.publish(OrderPlaced, { orderId, flowerId: "1", qty, address: "Seoul", phoneNumber, isOffline: false }, { correlationId: orderId });
    const listFor = async (recipient: string, correlationId: string) =>
      (await client.listNotifications({ recipient, correlationId })).notifications;

    it("tells the customer's phone about OrderPlaced and then FlowerWrapped", async () => {
      const orderId = randomUUID();
      const phone = `010-${randomUUID().slice(0, 8)}`;
      await placeOrder(orderId, phone, 3);
      await svc.publish(FlowerWrapped, { orderId, flowerId: "1", qty: 3 }, { correlationId: orderId });
      const listed = await eventually("two sent notifications", async () => {
        const list = await listFor(phone, orderId);
        return list.length === 2 && list.every(sent) ? list : undefined;
      });
      // Newest first.
      assert.deepEqual(listed.map((n) => n.eventType), ["flower.store.FlowerWrapped", "flower.order.OrderPlaced"]);
      assert.equal(listed[1].message, "Your order for 3 flowers is placed and paid.");
      for (const n of listed) {
        assert.equal(n.recipient, phone);
        assert.equal(n.correlationId, orderId);
        assert.equal(n.system, "flower");
        assert.equal(n.channel, "webhook");
        assert.equal(n.attempts, 1);
        assert.ok(n.sentAt);
      }
      assert.deepEqual(hook.requests.filter((r) => r.recipient === phone).map((r) => r.message).sort(), listed.map((n) => n.message).sort());
      assert.equal((await client.listNotifications({ system: "flower", correlationId: orderId })).notifications.length, 2);
      assert.equal((await client.listNotifications({ system: "resort", correlationId: orderId })).notifications.length, 0);
      assert.equal((await client.listNotifications({ recipient: "someone-else", correlationId: orderId })).notifications.length, 0);
    });

    it("holds an event that overtook OrderPlaced until the phone number is known", async () => {
      const orderId = randomUUID();
      const phone = `010-${randomUUID().slice(0, 8)}`;
      const early = await svc.publish(DeliveryStarted, { deliveryId: "d-1", orderId, address: "Busan" }, { correlationId: orderId });
      await eventually("the early event to be put off", async () =>
        svc.logs.some((l) => l.includes("policy will retry later") && l.includes(early)) || undefined);
      assert.deepEqual(await client.listNotifications({ correlationId: orderId }).then((r) => r.notifications), []);
      await placeOrder(orderId, phone);
      const listed = await eventually("both notifications", async () => {
        const list = await listFor(phone, orderId);
        return list.length === 2 && list.every(sent) ? list : undefined;
      });
      assert.deepEqual(listed.map((n) => n.eventType).sort(), ["flower.delivery.DeliveryStarted", "flower.order.OrderPlaced"]);
      assert.match(listed.find((n) => n.eventType === "flower.delivery.DeliveryStarted")!.message, /on their way to Busan/);
    });

    it("tells the customer about the refund (payment.flower.PaymentCancelled)", async () => {
      const orderId = randomUUID();
      const phone = `010-${randomUUID().slice(0, 8)}`;
      await placeOrder(orderId, phone);
      await svc.publish(paymentEvents("flower").PaymentCancelled, {
        paymentId: "p-1", system: "flower", referenceId: orderId, amount: { amount: 36_000n, currency: "KRW" }, reason: "order cancelled",
      }, { correlationId: orderId });
      const refund = await eventually("the refund notification", async () =>
        sent((await listFor(phone, orderId)).find((n) => n.eventType === "payment.flower.PaymentCancelled")));
      assert.equal(refund.message, "Your payment of 36,000 KRW was refunded.");
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
      assert.equal(hook.requests.filter((r) => r.recipient === phone).length, 3);

      // The failing channel blocks neither this customer's next event nor anyone else's.
      const other = randomUUID();
      const otherPhone = `010-${randomUUID().slice(0, 8)}`;
      await svc.publish(FlowerWrapped, { orderId, flowerId: "1", qty: 2 }, { correlationId: orderId });
      await placeOrder(other, otherPhone);
      await eventually("the other customer's notification sent", async () => sent((await listFor(otherPhone, other))[0]));
      const mine = await eventually("the next event recorded", async () => {
        const list = await listFor(phone, orderId);
        return list.length === 2 ? list : undefined;
      });
      assert.deepEqual(mine.map((n) => n.eventType), ["flower.store.FlowerWrapped", "flower.order.OrderPlaced"]);
    });

    it("refuses a bad page size with INVALID_ARGUMENT naming it", async () => {
      try {
        await client.listNotifications({ pageSize: 1001, recipient: "x".repeat(129) });
        assert.fail("the call succeeded");
      } catch (error) {
        const e = ConnectError.from(error);
        assert.equal(e.code, Code.InvalidArgument);
        assert.deepEqual(e.findDetails(BadRequestSchema).flatMap((d) => d.fieldViolations.map((v) => v.field)).sort(), ["pageSize", "recipient"]);
      }
    });
  });
}
