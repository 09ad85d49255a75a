// The cleaning system end to end: every service a real OS process, as `npm start` runs them, on
// the real NATS JetStream, on SQLite files and on MariaDB. Scenarios follow systems.md (cleaning).
import assert from "node:assert/strict";
import { appendFileSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import mysql from "mysql2/promise";
import { connect, headers as natsHeaders } from "nats";
import { CleaningService, CleaningStatus } from "../../gen/cleaning/v1/cleaning_pb.js";
import { DashBoardService, MessageService, type DashBoardView } from "../../gen/cleaning/v1/dashboard_pb.js";
import { PayKindRegStatus, PaymethodService } from "../../gen/cleaning/v1/paymethod_pb.js";
import { CleaningReservationService, ReservationStatus } from "../../gen/cleaning/v1/reservation_pb.js";
import { NotificationService } from "../../gen/notification/v1/notification_pb.js";
import { PaymentService, PaymentStatus } from "../../gen/payment/v1/payment_pb.js";
import { daysAhead, codeOf, eventually, rpcError, sampleValue, startTestSystem, testDialects, violatedFields, type TestSystem } from "../../mesh/testing/index.js";
import { idOfPaymentReference } from "../../mesh/kernel/index.js";
import { catalog } from "../catalog.js";

// A day that is always ahead: a cleaning in the past is refused.
const cleaningDay = daysAhead(1);

const root = fileURLToPath(new URL("../..", import.meta.url));
const ids = catalog.filter((e) => ["cleaning", "payment", "notification", "gateway"].includes(e.system)).map((e) => e.id);
/** The card number of the seed: it must never appear anywhere in full after registration. */
const CARD = "40095003";

for (const dialect of testDialects) {
  describe(`cleaning system on ${dialect} (processes)`, { timeout: 240_000 }, () => {
    const logFile = join(tmpdir(), `cleaning-system-${dialect}-${process.pid}.log`);
    const logLines: string[] = [];
    const responses: string[] = [];
    let sys: TestSystem;
    let gateway: string;
    const client = <S extends Parameters<typeof createClient>[0]>(service: S, id: string) => createClient(service, createGrpcTransport({ baseUrl: sys.url(id) }));
    let reservations: ReturnType<typeof client<typeof CleaningReservationService>>;
    let paymethods: ReturnType<typeof client<typeof PaymethodService>>;
    let cleanings: ReturnType<typeof client<typeof CleaningService>>;
    let dashboard: ReturnType<typeof client<typeof DashBoardService>>;
    let messages: ReturnType<typeof client<typeof MessageService>>;
    let payments: ReturnType<typeof client<typeof PaymentService>>;
    let notifications: ReturnType<typeof client<typeof NotificationService>>;

    let seq = 0;
    const apply = async (price = 50000n) =>
      (await reservations.createCleaningReservation({ place: "Seoul Gangnam", requestDate: cleaningDay, price, customerId: `cust-${dialect}-${++seq}` })).cleaningReservation!;
    const register = (requestId: string, kind = "credit") => paymethods.registerPaymethod({ requestId, kind, number: CARD });
    const viewWhere = (requestId: string, ok: (v: DashBoardView) => boolean, what: string) =>
      eventually(`dashboard of ${requestId}: ${what}`, async () => {
        const [v] = (await dashboard.listDashBoardViews({ requestId })).dashBoardViews;
        return v && ok(v) ? v : undefined;
      });
    const jobOf = (requestId: string) =>
      eventually(`job of ${requestId}`, async () => (await cleanings.listCleanings({ requestId })).cleanings[0]);
    const paymentOf = async (reference: string) => (await payments.listPayments({ system: "cleaning", referenceId: reference })).payments;
    /** Every payment attempt of a request, whatever its reference ("<id>" or "<id>.<n>"). */
    const paymentsFor = async (requestId: string) =>
      (await payments.listPayments({ system: "cleaning", pageSize: 1000 })).payments.filter((p) => idOfPaymentReference(p.referenceId) === requestId);
    /** How many events a service's policy has taken (handled, or seen before), from its /metrics. */
    const taken = async (id: string, policy: string) => {
      const text = await (await fetch(`${sys.url(id, "http")}/metrics`)).text();
      return ["handled", "duplicate", "ignored"].reduce((sum, outcome) => sum + (sampleValue(text, "mesh_events_handled_total", { consumer: `${id}-${policy}`, outcome }) ?? 0), 0);
    };
    async function rest(method: string, path: string, body?: unknown) {
      const res = await fetch(gateway + path, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: body === undefined ? {} : { "content-type": "application/json" } });
      const text = await res.text();
      responses.push(text);
      return { status: res.status, json: text ? JSON.parse(text) : undefined };
    }

    before(async () => {
      sys = await startTestSystem({
        catalog, root, ids, dialect,
        env: { BREAKER_THRESHOLD: "3", BREAKER_HALF_OPEN_MS: "500", CLIENT_TIMEOUT_MS: "1500", SHUTDOWN_TIMEOUT_MS: "5000", CONSUMER_ACK_WAIT_MS: "3000" },
        write: (line) => {
          logLines.push(line);
          appendFileSync(logFile, line + "\n");
        },
      });
      gateway = sys.url("gateway", "http");
      reservations = client(CleaningReservationService, "cleaning-reservation");
      paymethods = client(PaymethodService, "cleaning-paymethod");
      cleanings = client(CleaningService, "cleaning-cleaning");
      dashboard = client(DashBoardService, "cleaning-dashboard");
      messages = client(MessageService, "cleaning-dashboard");
      payments = client(PaymentService, "payment");
      notifications = client(NotificationService, "notification");
    });
    after(async () => {
      await sys?.stop();
      console.log(`# service logs: ${logFile}`);
    });

    test("the seed's commands through the gateway, as typed (httpie: strings, price:= a number, enum short forms)", async () => {
      const applied = await rest("POST", "/cleaning/cleaningReservations", { place: "Seoul Gangnam", requestDate: cleaningDay, price: 50000 });
      assert.equal(applied.status, 200, JSON.stringify(applied.json));
      const requestId: string = applied.json.cleaningReservation.id;
      assert.equal(applied.json.cleaningReservation.status, "RESERVATION_STATUS_RESERVATION_APPLY");
      assert.deepEqual(applied.json.cleaningReservation.price, { amount: "50000", currency: "KRW" });

      const registered = await rest("POST", "/cleaning/paymethods", { kind: "credit", number: CARD, requestId, payKindRegStatus: "PaymentKindRegistered" });
      assert.equal(registered.status, 200, JSON.stringify(registered.json));
      assert.equal(registered.json.paymethod.number, "****5003");
      assert.equal(registered.json.paymethod.payKindRegStatus, "PAY_KIND_REG_STATUS_PAYMENT_KIND_REGISTERED");
      const paymethodId: string = registered.json.paymethod.id;

      const said = await eventually("payment completed message", async () => {
        const list = (await rest("GET", "/cleaning/messages")).json.messages as Array<{ requestId: string; message: string }>;
        const own = list.filter((m) => m.requestId === requestId).map((m) => m.message);
        return own.includes("Payment completed: 50,000 KRW. Your credit payment method ****5003 is registered.") ? own : undefined;
      });
      assert.ok(said.every((m) => !m.includes(CARD)));
      const row = await eventually("confirmed on the dashboard", async () => {
        const list = (await rest("GET", "/cleaning/dashBoardViews")).json.dashBoardViews as Array<Record<string, unknown>>;
        // KindRegistered may reach the view after CleaningConfirmed (either may wait for CleaningRequested): both applied.
        return list.find((v) => v.requestId === requestId && v.status === "RESERVATION_STATUS_CLEANING_CONFIRMED" && v.number !== "");
      });
      assert.deepEqual([row.payKind, row.place, row.price, row.requestDate, row.number], ["credit", "Seoul Gangnam", { amount: "50000", currency: "KRW" }, cleaningDay, "****5003"]);

      const deleted = await rest("DELETE", `/cleaning/paymethod/${paymethodId}`);
      assert.equal(deleted.status, 200, JSON.stringify(deleted.json));
      assert.equal(deleted.json.paymethod.payKindRegStatus, "PAY_KIND_REG_STATUS_PAYMENT_KIND_DELETED");
      await eventually("refunded", async () => (await paymentOf(requestId))[0]?.status === PaymentStatus.CANCELLED);
      // The cleaner's jobs by status, in the short form.
      const listed = await rest("GET", "/cleaning/cleanings?status=CleaningCanceled&requestId=" + requestId);
      assert.equal(listed.status, 200);
      assert.equal(listed.json.cleanings.length, 1);
      assert.equal((await rest("DELETE", "/cleaning/paymethod/nope")).status, 404);
      const sent = await rest("POST", "/cleaning/paymethods", { kind: "credit", number: "4009-5003", requestId, payKindRegStatus: "PaymentKindDeleted" });
      assert.equal(sent.status, 400);
      assert.match(JSON.stringify(sent.json), /payKindRegStatus/);
    });

    test("steps 1-3, 5, 6: apply → register (paid synchronously) → confirmed → completed; a change of pay kind; the dashboard shows every step; a message for each", async () => {
      const r = await apply();
      const { paymethod } = await register(r.id);
      assert.equal(paymethod!.number, "****5003");
      assert.equal(paymethod!.amount!.amount, 50000n);
      const [paid] = await paymentOf(r.id);
      assert.deepEqual([paid.status, paid.amount!.amount, paid.method], [PaymentStatus.APPROVED, 50000n, "credit"]);
      await paymethods.changePaymethodKind({ id: paymethod!.id, kind: "debit" });
      const job = await jobOf(r.id);
      assert.equal(job.status, CleaningStatus.CLEANING_CONFIRMED);
      assert.equal(job.place, "Seoul Gangnam");
      await viewWhere(r.id, (v) => v.payKind === "debit" && v.status === ReservationStatus.CLEANING_CONFIRMED, "debit, confirmed");
      await cleanings.completeCleaning({ id: job.id });
      // Payment's events come on their own stream: every step in, not just the last.
      const v = await viewWhere(r.id, (x) => x.status === ReservationStatus.CLEANING_COMPLETED && new Set(x.steps.map((s) => s.event)).size >= 6, "completed, six kinds of step");
      assert.deepEqual([v.place, v.price!.amount, v.requestDate, v.payKind, v.paymentStatus], ["Seoul Gangnam", 50000n, cleaningDay, "debit", PaymentStatus.APPROVED]);
      assert.deepEqual(new Set(v.steps.map((s) => s.event)), new Set(["CleaningRequested", "KindRegistered", "PaymentApproved", "KindChanged", "CleaningConfirmed", "CleaningCompleted"]));
      assert.ok(v.steps.every((s) => s.recordedAt && s.occurredAt), "every step timed (the view's lag)");
      // The reservation context hears of the completion on its own consumer, not when the dashboard does.
      await eventually("the reservation completed", async () =>
        (await reservations.getCleaningReservation({ id: r.id })).cleaningReservation!.status === ReservationStatus.CLEANING_COMPLETED);
      assert.equal(await codeOf(reservations.cancelCleaningReservation({ id: r.id })), "FailedPrecondition");
      const told = await eventually("five notifications", async () => {
        const list = (await notifications.listNotifications({ system: "cleaning", referenceId: r.id })).notifications;
        return list.length >= 5 ? list : undefined;
      });
      assert.deepEqual(told.map((n) => n.eventType.split(".").pop()).sort(), ["CleaningCompleted", "CleaningConfirmed", "CleaningRequested", "KindChanged", "KindRegistered"]);
      assert.ok(told.every((n) => n.recipient === r.customerId));
      const own = await eventually("five messages in the dashboard's message view", async () => {
        const list = (await messages.listMessages({ requestId: r.id })).messages;
        return list.length >= 5 ? list : undefined;
      });
      assert.ok(own.some((m) => m.message === "Your payment method is now debit (was credit)."));
    });

    test("step 4: cancel → the cleaner confirms → request cancelled, payment refunded, job called off; its late completion is refused", async () => {
      const r = await apply();
      await register(r.id);
      const job = await jobOf(r.id);
      const asked = (await reservations.cancelCleaningReservation({ id: r.id, reason: "moving out" })).cleaningReservation!;
      assert.ok(asked.cancelRequestedAt, "a request until the cleaner answers");
      await viewWhere(r.id, (v) => v.status === ReservationStatus.RESERVATION_CANCELED && v.paymentStatus === PaymentStatus.CANCELLED, "cancelled and refunded");
      assert.equal((await paymentOf(r.id))[0].status, PaymentStatus.CANCELLED);
      assert.equal((await cleanings.getCleaning({ id: job.id })).cleaning!.status, CleaningStatus.CLEANING_CANCELED);
      assert.equal(await codeOf(cleanings.completeCleaning({ id: job.id })), "FailedPrecondition");
      assert.equal(await codeOf(register(r.id)), "FailedPrecondition", "a cancelled request is not paid again");
    });

    test("a cancel after completion is refused by the cleaner with its reason; charged, not refunded", async () => {
      const r = await apply();
      await register(r.id);
      const job = await jobOf(r.id);
      // Asked before the reservation heard of the completion: the cleaner decides.
      await cleanings.completeCleaning({ id: job.id });
      const asked = await reservations.cancelCleaningReservation({ id: r.id }).catch(() => undefined);
      if (asked) {
        const v = await viewWhere(r.id, (x) => x.cancelRefusal !== "", "cancel refused");
        assert.equal(v.cancelRefusal, "the cleaning is already completed");
      }
      await viewWhere(r.id, (x) => x.status === ReservationStatus.CLEANING_COMPLETED, "completed");
      assert.equal((await paymentOf(r.id))[0].status, PaymentStatus.APPROVED);
    });

    test("declined: FAILED_PRECONDITION, no payment method kept, the request still unpaid; another card then pays under the next attempt's reference", async () => {
      const r = await apply();
      const error = await rpcError(register(r.id, "decline"));
      assert.equal(error.code, 9);
      assert.match(error.rawMessage, /payment declined/);
      assert.deepEqual((await paymethods.listPaymethods({ requestId: r.id })).paymethods, []);
      assert.equal((await paymentOf(r.id))[0].status, PaymentStatus.DECLINED);
      assert.equal((await reservations.getCleaningReservation({ id: r.id })).cleaningReservation!.status, ReservationStatus.RESERVATION_APPLY);
      await viewWhere(r.id, (v) => v.paymentStatus === PaymentStatus.DECLINED, "declined shown");
      const { paymethod } = await register(r.id);
      assert.equal(paymethod!.paymentReference, `${r.id}.2`);
      assert.deepEqual((await paymentOf(`${r.id}.2`)).map((p) => p.status), [PaymentStatus.APPROVED]);
      const v = await viewWhere(r.id, (x) => x.paymentStatus === PaymentStatus.APPROVED && x.status === ReservationStatus.CLEANING_CONFIRMED, "the retry's payment shown");
      assert.equal(v.paymentReference, `${r.id}.2`);
    });

    test("payment down: registering fails at once with UNAVAILABLE and keeps nothing; deleting keeps working, its refund follows when payment is back", async () => {
      const paid = await apply();
      const { paymethod } = await register(paid.id);
      const unpaid = await apply();
      await sys.launcher.stop("payment");
      try {
        const error = await rpcError(register(unpaid.id));
        assert.equal(error.code, 14, error.rawMessage);
        assert.match(error.rawMessage, /payment is unavailable/);
        assert.deepEqual((await paymethods.listPaymethods({ requestId: unpaid.id })).paymethods, [], "nothing kept");
        const deleted = (await paymethods.deletePaymethod({ id: paymethod!.id })).paymethod!;
        assert.equal(deleted.payKindRegStatus, PayKindRegStatus.PAYMENT_KIND_DELETED);
        await eventually("the request cancelled while payment is down", async () =>
          (await reservations.getCleaningReservation({ id: paid.id })).cleaningReservation!.status === ReservationStatus.RESERVATION_CANCELED);
      } finally {
        await sys.launcher.start("payment");
        await sys.launcher.waitReady("payment");
      }
      await eventually("refunded once payment is back", async () => (await paymentOf(paid.id))[0]?.status === PaymentStatus.CANCELLED);
      // Payment was unreachable, so nothing was taken and nothing needs undoing: the same request registers once payment is back.
      const again = await eventually("registering works again", async () => (await register(unpaid.id).catch(() => undefined))?.paymethod, 30_000);
      assert.equal(again.number, "****5003");
      // Attempts that never reached payment gave their number back, so this is normally the request id itself.
      const paidOnce = (await paymentsFor(unpaid.id)).filter((p) => p.status === PaymentStatus.APPROVED);
      assert.deepEqual(paidOnce.map((p) => p.referenceId), [again.paymentReference], "paid once");
    });

    test("a Pay that timed out after payment took it is refunded; registering again pays under a new reference, charged once; cancelling refunds that one", async () => {
      const r = await apply();
      // Payment slower than paymethod's deadline (CLIENT_TIMEOUT_MS 1500): every Pay times out.
      await sys.launcher.stop("payment");
      await sys.launcher.start("payment", { env: { PAYMENT_LATENCY_MS: "1700" } });
      await sys.launcher.waitReady("payment");
      try {
        // Payment stops a Pay whose deadline passes during its latency, so on its own it would take
        // nothing; it takes the money only when its commit straddles the deadline (milliseconds).
        // Approving this reference first makes that certain: paymethod cannot tell the difference.
        const taken = (await payments.pay({ system: "cleaning", referenceId: r.id, amount: { amount: 50000n, currency: "KRW" }, method: "credit" })).payment!;
        assert.equal(taken.status, PaymentStatus.APPROVED);
        const error = await rpcError(register(r.id));
        assert.equal(error.code, 14, error.rawMessage);
        assert.match(error.rawMessage, /payment is unavailable/);
        assert.deepEqual((await paymethods.listPaymethods({ requestId: r.id })).paymethods, [], "nothing kept");
        const [refunded] = await eventually("the attempt's payment refunded", async () => {
          const list = await paymentOf(r.id);
          return list[0]?.status === PaymentStatus.CANCELLED ? list : undefined;
        });
        assert.deepEqual([refunded.id, refunded.amount?.amount, refunded.method], [taken.id, 50000n, "credit"], "the payment taken, refunded");
      } finally {
        await sys.launcher.stop("payment");
        await sys.launcher.start("payment");
        await sys.launcher.waitReady("payment");
      }
      // Before: payment's tombstone on the request id declined every retry ("apply for a new cleaning").
      const again = await eventually("registering again succeeds", async () => (await register(r.id).catch(() => undefined))?.paymethod, 30_000);
      assert.equal(again.paymentReference, `${r.id}.2`);
      const all = await paymentsFor(r.id);
      assert.deepEqual(all.map((p) => [p.referenceId, p.status]).sort(), [[r.id, PaymentStatus.CANCELLED], [`${r.id}.2`, PaymentStatus.APPROVED]]);
      assert.equal(all.filter((p) => p.status === PaymentStatus.APPROVED).reduce((sum, p) => sum + p.amount!.amount, 0n), 50000n, "charged once in total");
      await jobOf(r.id);
      const paid = await viewWhere(r.id, (v) => v.paymentStatus === PaymentStatus.APPROVED && v.status === ReservationStatus.CLEANING_CONFIRMED, "paid by the retry");
      assert.equal(paid.paymentReference, `${r.id}.2`);
      assert.equal((await reservations.getCleaningReservation({ id: r.id })).cleaningReservation!.paymentReference, `${r.id}.2`);

      // Cancelling refunds the attempt that paid (its own reference), not just the request id's.
      await reservations.cancelCleaningReservation({ id: r.id, reason: "changed plans" });
      await eventually("the retry's payment refunded", async () => (await paymentOf(`${r.id}.2`))[0]?.status === PaymentStatus.CANCELLED);
      const v = await viewWhere(r.id, (x) => x.status === ReservationStatus.RESERVATION_CANCELED && x.paymentStatus === PaymentStatus.CANCELLED, "cancelled and refunded");
      assert.ok(v.steps.some((s) => s.event === "CleaningPaymentVoided"), "the void shown");
      assert.deepEqual((await paymentsFor(r.id)).map((p) => p.status), [PaymentStatus.CANCELLED, PaymentStatus.CANCELLED], "nothing charged in the end");
      const told = await eventually("told the request is cancelled", async () => {
        const list = (await notifications.listNotifications({ system: "cleaning", referenceId: r.id })).notifications;
        return list.some((n) => n.eventType.endsWith("CleaningRequestCanceled")) ? list : undefined;
      });
      assert.ok(told.every((n) => n.referenceId === r.id && n.recipient === r.customerId), "notifications keyed by the request");
    });

    test("fault isolation: with the dashboard and the cleaner down, requests are applied for and paid; back up, everything converges", async () => {
      await sys.launcher.stop("cleaning-dashboard");
      await sys.launcher.stop("cleaning-cleaning");
      let r;
      try {
        r = await apply();
        await register(r.id);
        await reservations.cancelCleaningReservation({ id: r.id, reason: "while the cleaner was away" });
      } finally {
        await sys.launcher.start("cleaning-dashboard");
        await sys.launcher.start("cleaning-cleaning");
        await Promise.all([sys.launcher.waitReady("cleaning-dashboard"), sys.launcher.waitReady("cleaning-cleaning")]);
      }
      const v = await viewWhere(r.id, (x) => x.status === ReservationStatus.RESERVATION_CANCELED && x.paymentStatus === PaymentStatus.CANCELLED && x.number !== "", "cancelled and refunded, the payment method shown");
      assert.deepEqual([v.payKind, v.number], ["credit", "****5003"]);
      // The payment went through before the job: scheduled, then called off by the cleaner once (never both completed and refunded).
      assert.equal((await jobOf(r.id)).status, CleaningStatus.CLEANING_CANCELED);
    });

    test("replayed events change nothing twice: a second KindRegistered schedules no second job; a second CleaningRequestCanceled refunds nothing more", async () => {
      const r = await apply();
      await register(r.id);
      await jobOf(r.id);
      await reservations.cancelCleaningReservation({ id: r.id });
      await eventually("refunded", async () => (await paymentOf(r.id))[0]?.status === PaymentStatus.CANCELLED);
      const replayConsumers = [
        ["cleaning-cleaning", "confirmCleaningWhenKindRegistered"], ["cleaning-reservation", "markReservationPaidWhenKindRegistered"],
        ["cleaning-reservation", "followCancelAnswer"], ["payment", "cancelPaymentWhenCleaningRequestCanceled"],
      ] as const;
      const before = await Promise.all(replayConsumers.map(([id, policy]) => taken(id, policy)));
      const nc = await connect({ servers: sys.natsUrl });
      try {
        const jsm = await nc.jetstreamManager();
        const stream = `${sys.namespace.toUpperCase()}_CLEANING`;
        const info = await jsm.streams.info(stream);
        let replayed = 0;
        for (let s = info.state.first_seq; s <= info.state.last_seq; s++) {
          const m = await jsm.streams.getMessage(stream, { seq: s }).catch(() => undefined);
          if (!m || m.header.get("Business-Key") !== r.id || !/KindRegistered|CleaningRequestCanceled|CancelConfirmed$/.test(m.subject)) continue;
          const h = natsHeaders();
          for (const [k, v] of m.header) if (k !== "Nats-Msg-Id") h.set(k, v[0]);
          await nc.jetstream().publish(m.subject, m.data, { msgID: `replay-${s}-${sys.namespace}`, headers: h });
          replayed++;
        }
        assert.equal(replayed, 3);
      } finally {
        await nc.close();
      }
      await viewWhere(r.id, (v) => v.steps.filter((s) => s.event === "KindRegistered").length === 2, "the replay reached the view");
      // The positive signal that every consumer of the replayed events took them, before asserting nothing changed.
      await eventually("the replay taken by every consumer", async () => {
        const now = await Promise.all(replayConsumers.map(([id, policy]) => taken(id, policy)));
        return now.every((n, i) => n > before[i]) ? now : undefined;
      });
      assert.equal((await cleanings.listCleanings({ requestId: r.id })).cleanings.length, 1);
      assert.equal((await cleanings.listCleanings({ requestId: r.id })).cleanings[0].status, CleaningStatus.CLEANING_CANCELED);
      const paymentsOf = await paymentOf(r.id);
      assert.equal(paymentsOf.length, 1);
      assert.equal(paymentsOf[0].status, PaymentStatus.CANCELLED);
      assert.equal((await reservations.getCleaningReservation({ id: r.id })).cleaningReservation!.status, ReservationStatus.RESERVATION_CANCELED);
    });

    test("bad input at every RPC: INVALID_ARGUMENT naming the field (or NOT_FOUND), never a 5xx", async () => {
      const bad = async (call: Promise<unknown>, fields: string[]) => assert.deepEqual(violatedFields(await rpcError(call)), fields);
      await bad(reservations.createCleaningReservation({ place: "", requestDate: "2026-13-01", price: 0n, customerId: "a b c ☃" }), ["customerId", "place", "price", "requestDate"]);
      await bad(reservations.createCleaningReservation({ place: "Seoul", requestDate: daysAhead(-2), price: 1000n }), ["requestDate"]);
      await bad(reservations.createCleaningReservation({ place: "x".repeat(301), requestDate: "2026-02-30", price: 100_000_001n }), ["place", "price", "requestDate"]);
      await bad(reservations.getCleaningReservation({ id: "" }), ["id"]);
      await bad(reservations.cancelCleaningReservation({ id: "x/y", reason: "r".repeat(301) }), ["id", "reason"]);
      await bad(reservations.listCleaningReservations({ pageSize: -1 }), ["pageSize"]);
      await bad(reservations.listCleaningReservations({ pageToken: "not-a-token" }), ["pageToken"]);
      await bad(paymethods.registerPaymethod({ kind: "", number: "4009a5003", requestId: "" }), ["kind", "number", "requestId"]);
      await bad(paymethods.registerPaymethod({ kind: "Credit Card", number: "1234567", requestId: "r".repeat(65), payKindRegStatus: PayKindRegStatus.PAYMENT_KIND_DELETED }), ["kind", "number", "payKindRegStatus", "requestId"]);
      await bad(paymethods.getPaymethod({ id: "" }), ["id"]);
      await bad(paymethods.listPaymethods({ pageSize: 1001 }), ["pageSize"]);
      await bad(paymethods.changePaymethodKind({ id: "", kind: "" }), ["id", "kind"]);
      await bad(paymethods.deletePaymethod({ id: "" }), ["id"]);
      await bad(cleanings.getCleaning({ id: "" }), ["id"]);
      await bad(cleanings.listCleanings({ status: 99 as CleaningStatus }), ["status"]);
      await bad(cleanings.completeCleaning({ id: "" }), ["id"]);
      await bad(dashboard.listDashBoardViews({ pageToken: "%%" }), ["pageToken"]);
      await bad(dashboard.getDashBoardView({ requestId: "" }), ["requestId"]);
      await bad(messages.listMessages({ pageSize: -5 }), ["pageSize"]);
      for (const call of [
        () => reservations.getCleaningReservation({ id: "nope" }), () => reservations.cancelCleaningReservation({ id: "nope" }),
        () => paymethods.registerPaymethod({ kind: "credit", number: CARD, requestId: "nope" }), () => paymethods.getPaymethod({ id: "nope" }),
        () => paymethods.changePaymethodKind({ id: "nope", kind: "debit" }), () => paymethods.deletePaymethod({ id: "nope" }),
        () => cleanings.getCleaning({ id: "nope" }), () => cleanings.completeCleaning({ id: "nope" }), () => dashboard.getDashBoardView({ requestId: "nope" }),
      ]) assert.equal(await codeOf(call()), "NotFound");
      // Over REST: not JSON, not UTF-8, oversized, a number where a string belongs.
      const post = (path: string, body: BodyInit) => fetch(gateway + path, { method: "POST", body, headers: { "content-type": "application/json" } });
      for (const [path, body] of [
        ["/cleaning/cleaningReservations", "{"], ["/cleaning/paymethods", Buffer.from([0x7b, 0x22, 0x6b, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
        ["/cleaning/cleaningReservations", JSON.stringify({ place: "x".repeat(5_000_000) })], ["/cleaning/cleaningReservations", JSON.stringify({ place: "Seoul", requestDate: cleaningDay, price: "fifty" })],
      ] as const) {
        const res = await post(path, body as BodyInit);
        responses.push(await res.text());
        assert.ok(res.status >= 400 && res.status < 500, `${path}: ${res.status}`);
      }
    });

    test("the card number is a secret: after all of the above, it is nowhere in full — responses, events, log lines, database rows, notifications", async () => {
      assert.ok(!responses.some((r) => r.includes(CARD)), "a REST response");
      assert.ok(!logLines.some((l) => l.includes(CARD)), "a log line");
      const all = await notifications.listNotifications({ system: "cleaning" });
      assert.ok(all.notifications.length > 0 && !JSON.stringify(all.notifications.map((n) => n.message)).includes(CARD), "a notification");
      const own = await messages.listMessages({ pageSize: 1000 });
      assert.ok(!own.messages.some((m) => m.message.includes(CARD)), "a message");
      const nc = await connect({ servers: sys.natsUrl });
      try {
        const jsm = await nc.jetstreamManager();
        let seen = 0;
        for await (const stream of jsm.streams.list()) {
          if (!stream.config.name.startsWith(sys.namespace.toUpperCase())) continue;
          for (let s = stream.state.first_seq; s <= stream.state.last_seq && stream.state.messages > 0; s++) {
            const m = await jsm.streams.getMessage(stream.config.name, { seq: s }).catch(() => undefined);
            if (!m) continue;
            seen++;
            assert.ok(!Buffer.from(m.data).includes(CARD), `an event on ${m.subject}`);
            for (const [, v] of m.header) assert.ok(!v.join().includes(CARD), `a header of ${m.subject}`);
          }
        }
        assert.ok(seen > 20, `read the system's events (${seen})`);
      } finally {
        await nc.close();
      }
      if (dialect === "sqlite") {
        const files = readdirSync(sys.dataDir);
        assert.ok(files.some((f) => f.startsWith("cleaning-paymethod")));
        for (const f of files) assert.ok(!readFileSync(join(sys.dataDir, f)).includes(CARD), `database file ${f}`);
      } else {
        const admin = await mysql.createConnection(process.env.TEST_MYSQL_URL ?? "mysql://root@127.0.0.1:3306");
        try {
          // This system's databases: the name its services logged at start, and those derived from it.
          const prefix = logLines.map((l) => /url=mysql:\/\/[^/\s]+\/(mesh_test_[0-9a-f]+)/.exec(l)?.[1]).find(Boolean);
          assert.ok(prefix, "the test database's name, from the start-up log");
          const [schemas] = await admin.query("SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name LIKE ?", [`${prefix}%`]);
          let tables = 0;
          for (const { name } of schemas as Array<{ name: string }>) {
            const [list] = await admin.query("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ?", [name]);
            for (const { t } of list as Array<{ t: string }>) {
              const [rows] = await admin.query(`SELECT * FROM \`${name}\`.\`${t}\``);
              tables++;
              assert.ok(!JSON.stringify(rows, (_k, v) => (Buffer.isBuffer(v) ? v.toString("latin1") : typeof v === "bigint" ? String(v) : v)).includes(CARD), `${name}.${t}`);
            }
          }
          assert.ok(tables > 10, `read the databases' rows (${tables} tables)`);
        } finally {
          await admin.end();
        }
      }
    });
  });
}
