// The resort system end to end, on SQLite and on MariaDB: every service a real OS process, the
// seed's httpie commands through the gateway as typed, every step of systems.md's resort section,
// the compensations, the fault isolation of the issue context and of my page, and bad input.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { Code, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { NotificationService } from "../../gen/notification/v1/notification_pb.js";
import { PaymentService, PaymentStatus } from "../../gen/payment/v1/payment_pb.js";
import { IssueService, IssueStatus } from "../../gen/resort/v1/issue_pb.js";
import { MyPageService, type MyPage } from "../../gen/resort/v1/mypage_pb.js";
import { ReservationService, ReservationStatus } from "../../gen/resort/v1/reservation_pb.js";
import { daysAhead, codeOf, eventually, rpcError, startTestSystem, testDialects, violatedFields, type TestSystem } from "../../mesh/testing/index.js";
import { catalog } from "../catalog.js";

// A day that is always ahead: a stay in the past is refused.
const stay = daysAhead(24);

const root = fileURLToPath(new URL("../..", import.meta.url));
const ids = catalog.filter((e) => ["resort", "payment", "notification", "gateway"].includes(e.system)).map((e) => e.id);
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// The seed's reservation, as `http POST :8088/resort/reservations resort="Seorak Hanwha" ... cost:=300000 paymentType=card` sends it.
const seedBody = { resort: "Seorak Hanwha", region: "Gangwon", date: stay, persons: 4, rooms: 2, needs: "ocean view", cost: 300000, paymentType: "card" };

for (const dialect of testDialects) {
  describe(`resort system on ${dialect} (processes)`, { timeout: 300_000 }, () => {
    let sys: TestSystem;
    let gateway: string;
    const client = <S extends Parameters<typeof createClient>[0]>(service: S, id: string) => createClient(service, createGrpcTransport({ baseUrl: sys.url(id) }));
    let reservations: ReturnType<typeof client<typeof ReservationService>>;
    let issues: ReturnType<typeof client<typeof IssueService>>;
    let mypages: ReturnType<typeof client<typeof MyPageService>>;
    let payments: ReturnType<typeof client<typeof PaymentService>>;
    let notifications: ReturnType<typeof client<typeof NotificationService>>;
    let customerSeq = 0;
    const newCustomer = () => `${dialect}-c${++customerSeq}-${process.pid}`;
    const reserveFor = (customerId: string, more: Json = {}) => ({ ...seedBody, cost: 300000n, customerId, ...more });

    async function rest(method: string, path: string, body?: unknown, raw?: BodyInit) {
      const res = await fetch(gateway + path, {
        method, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
        headers: body === undefined && raw === undefined ? {} : { "content-type": "application/json" },
      });
      const text = await res.text();
      return { status: res.status, json: (text ? JSON.parse(text) : undefined) as Json };
    }
    const myPageWhere = (reservationId: string, ok: (p: MyPage) => boolean, what: string) =>
      eventually(`my page of ${reservationId}: ${what}`, async () => {
        const [p] = (await mypages.listMyPages({ reservationId })).myPages;
        return p && ok(p) ? p : undefined;
      });
    const told = (reservationId: string, count: number) =>
      eventually(`${count} notifications for ${reservationId}`, async () => {
        const list = (await notifications.listNotifications({ referenceId: reservationId })).notifications;
        return list.length >= count ? list : undefined;
      });
    const voucherOf = async (reservationId: string) => (await issues.listIssues({ reservationId })).issues;
    const paymentOf = async (reservationId: string) => (await payments.listPayments({ system: "resort", referenceId: reservationId })).payments;

    before(async () => {
      sys = await startTestSystem({
        catalog, root, ids, dialect,
        env: { BREAKER_THRESHOLD: "3", BREAKER_HALF_OPEN_MS: "1000", CLIENT_TIMEOUT_MS: "2000", SHUTDOWN_TIMEOUT_MS: "5000", CONSUMER_ACK_WAIT_MS: "3000" },
        log: `resort-system-${dialect}`,
      });
      gateway = sys.url("gateway", "http");
      reservations = client(ReservationService, "resort-reservation");
      issues = client(IssueService, "resort-issue");
      mypages = client(MyPageService, "resort-mypage");
      payments = client(PaymentService, "payment");
      notifications = client(NotificationService, "notification");
    });
    after(async () => {
      await sys?.stop();
    });

    test("the seed's commands through the gateway: reserve and pay → voucher issued → my page → DELETE cancels → payment refunded", async () => {
      const reserved = await eventually("the seed's POST", async () => {
        const res = await rest("POST", "/resort/reservations", seedBody);
        return res.status === 200 ? res.json.reservation : undefined;
      });
      assert.equal(reserved.status, "RESERVATION_STATUS_RESERVED");
      assert.deepEqual(reserved.cost, { amount: "300000", currency: "KRW" });
      assert.deepEqual([reserved.resort, reserved.region, reserved.date, reserved.persons, reserved.rooms, reserved.needs, reserved.paymentType, reserved.customerId],
        ["Seorak Hanwha", "Gangwon", stay, 4, 2, "ocean view", "card", "guest"]);
      const id: string = reserved.id;

      // Step 2 and 3: the voucher is issued, the reservation confirmed, my page shows all three statuses.
      const page = await myPageWhere(id, (p) => p.issueStatus === IssueStatus.ISSUED && p.reservationStatus === ReservationStatus.CONFIRMED && p.paymentStatus === PaymentStatus.APPROVED && p.steps.length === 3, "confirmed");
      assert.equal(page.paymentStatus, PaymentStatus.APPROVED);
      assert.deepEqual(page.steps.map((s) => s.event).sort(), ["IssuedTicket", "PaymentApproved", "Reserved"]);
      const listed = await rest("GET", "/resort/mypages");
      assert.equal(listed.status, 200);
      assert.ok(listed.json.myPages.some((p: Json) => p.reservationId === id && p.reservationStatus === "RESERVATION_STATUS_CONFIRMED"));
      const voucher = await rest("GET", `/resort/issues?reservationId=${id}`);
      assert.equal(voucher.status, 200);
      assert.equal(voucher.json.issues.length, 1);
      assert.equal(voucher.json.issues[0].status, "ISSUE_STATUS_ISSUED");
      assert.match(voucher.json.issues[0].ticketNumber, /^T-/);
      const confirmed = await eventually("the reservation confirmed", async () => {
        const r = (await rest("GET", `/resort/reservations/${id}`)).json.reservation;
        return r.status === "RESERVATION_STATUS_CONFIRMED" ? r : undefined;
      });
      assert.equal(confirmed.ticketNumber, voucher.json.issues[0].ticketNumber);

      // Step 4: the seed's DELETE asks to cancel; the voucher is revoked, the reservation cancelled and refunded.
      const deleted = await rest("DELETE", `/resort/reservations/${id}`);
      assert.equal(deleted.status, 200, JSON.stringify(deleted.json));
      assert.ok(deleted.json.reservation.cancelRequestedAt);
      const cancelled = await myPageWhere(id, (p) => p.paymentStatus === PaymentStatus.CANCELLED && p.issueStatus === IssueStatus.CANCELLED && p.reservationStatus === ReservationStatus.CANCELLED && p.steps.length === 7, "refunded and revoked");
      assert.equal(cancelled.reservationStatus, ReservationStatus.CANCELLED);
      assert.deepEqual(cancelled.steps.map((s) => s.event).sort(),
        ["CancelledTicket", "IssuedTicket", "PaymentApproved", "PaymentCancelled", "ReservationCancelRequested", "ReservationCancelled", "Reserved"]);
      const paid = await rest("GET", `/payments?system=resort&referenceId=${id}`);
      assert.equal(paid.status, 200);
      assert.deepEqual(paid.json.payments.map((p: Json) => [p.status, p.amount.amount]), [["PAYMENT_STATUS_CANCELLED", "300000"]]);
      assert.equal((await rest("GET", `/resort/reservations/${id}`)).json.reservation.status, "RESERVATION_STATUS_CANCELLED");
      // Deleting again changes nothing.
      assert.equal((await rest("DELETE", `/resort/reservations/${id}`)).json.reservation.status, "RESERVATION_STATUS_CANCELLED");
      const sent = await told(id, 5);
      assert.deepEqual(sent.map((n) => n.eventType).sort(), [
        "payment.resort.PaymentCancelled", "resort.issue.CancelledTicket", "resort.issue.IssuedTicket",
        "resort.reservation.ReservationCancelled", "resort.reservation.Reserved",
      ]);
      assert.ok(sent.every((n) => n.recipient === "guest"));
    });

    test("every status change notifies the customer: reserved, confirmed, checked in; cancel after check-in refused and told", async () => {
      const customer = newCustomer();
      const { reservation } = await reservations.reserve(reserveFor(customer));
      const id = reservation!.id;
      const [voucher] = await eventually("the voucher", async () => { const v = await voucherOf(id); return v.length ? v : undefined; });
      const { issue } = await issues.checkIn({ id: voucher.id });
      assert.equal(issue!.status, IssueStatus.CHECKED_IN);
      await myPageWhere(id, (p) => p.reservationStatus === ReservationStatus.CHECKED_IN, "checked in");
      await eventually("reservation checked in", async () => (await reservations.getReservation({ id })).reservation!.status === ReservationStatus.CHECKED_IN);
      // Checked in: refused at once, with the reason; the payment stays.
      const refused = await rpcError(reservations.cancelReservation({ id }));
      assert.equal(refused.code, Code.FailedPrecondition);
      assert.match(refused.rawMessage, /already checked in/);
      assert.equal((await paymentOf(id))[0].status, PaymentStatus.APPROVED);
      const sent = await told(id, 3);
      assert.deepEqual(sent.map((n) => n.eventType).sort(), ["resort.issue.CheckedIn", "resort.issue.IssuedTicket", "resort.reservation.Reserved"]);
      assert.ok(sent.every((n) => n.recipient === customer));
    });

    test("cancel raced by check-in: the issue context refuses after check-in, my page and a notification show why, nothing is refunded", async () => {
      const { reservation } = await reservations.reserve(reserveFor(newCustomer()));
      const id = reservation!.id;
      const [voucher] = await eventually("the voucher", async () => { const v = await voucherOf(id); return v.length ? v : undefined; });
      // Both at once: the reservation context still believes it is only confirmed, so it asks; the voucher was already used.
      const [, asked] = await Promise.all([issues.checkIn({ id: voucher.id }), reservations.cancelReservation({ id, reason: "late change" }).then(() => true, () => false)]);
      const page = await myPageWhere(id, (p) => p.reservationStatus === ReservationStatus.CHECKED_IN || p.reservationStatus === ReservationStatus.CANCELLED, "decided");
      const [payment] = await paymentOf(id);
      if (page.reservationStatus === ReservationStatus.CHECKED_IN) {
        assert.equal(payment.status, PaymentStatus.APPROVED);
        if (asked) {
          // The request went out before the reservation heard of the check-in: the issue context refused it, and said so.
          await myPageWhere(id, (p) => p.cancelRefusal === "already checked in", "the refusal shown");
          await eventually("the refusal told", async () => (await notifications.listNotifications({ referenceId: id })).notifications.some((n) => n.eventType === "resort.issue.CancelRefused"));
          await eventually("the reservation shows it", async () => (await reservations.getReservation({ id })).reservation!.cancelRefusal === "already checked in");
        }
      } else {
        await eventually("refunded", async () => (await paymentOf(id))[0].status === PaymentStatus.CANCELLED);
        assert.equal(await codeOf(issues.checkIn({ id: voucher.id })), "FailedPrecondition");
      }
    });

    test("named cancel command before the voucher exists: a tombstone, no voucher issued later, refunded", async () => {
      const { reservation } = await reservations.reserve(reserveFor(newCustomer()));
      const id = reservation!.id;
      const { reservation: asked } = await reservations.cancelReservation({ id, reason: "changed my mind" });
      assert.ok(asked!.cancelRequestedAt);
      const page = await myPageWhere(id, (p) => p.paymentStatus === PaymentStatus.CANCELLED && p.reservationStatus === ReservationStatus.CANCELLED, "refunded");
      assert.equal(page.reservationStatus, ReservationStatus.CANCELLED);
      const vouchers = await voucherOf(id);
      assert.equal(vouchers.length, 1);
      assert.equal(vouchers[0].status, IssueStatus.CANCELLED);
      assert.equal((await reservations.getReservation({ id })).reservation!.cancelReason, "changed my mind");
      const viaRest = await rest("POST", `/resort/reservations/${id}/cancel`, { reason: "again" });
      assert.equal(viaRest.json.reservation.status, "RESERVATION_STATUS_CANCELLED");
    });

    test("payment declined: no reservation, nothing issued, nothing on my page", async () => {
      const customer = newCustomer();
      const error = await rpcError(reservations.reserve(reserveFor(customer, { paymentType: "decline" })));
      assert.equal(error.code, Code.FailedPrecondition);
      assert.match(error.rawMessage, /payment declined/);
      assert.deepEqual((await reservations.listReservations({ customerId: customer })).reservations, []);
      const viaRest = await rest("POST", "/resort/reservations", { ...seedBody, customerId: customer, paymentType: "decline" });
      assert.equal(viaRest.status, 412, "FAILED_PRECONDITION");
      assert.match(viaRest.json.message, /payment declined/);
      // A later reservation of the customer reaches my page; the declined ones never do.
      const { reservation } = await reservations.reserve(reserveFor(customer));
      await myPageWhere(reservation!.id, (p) => p.issueStatus === IssueStatus.ISSUED, "issued");
      assert.deepEqual((await mypages.listMyPages({ customerId: customer })).myPages.map((p) => p.reservationId), [reservation!.id]);
    });

    test("my page pages newest first and filters by customer or reservation; reservations and issues page too", async () => {
      const customer = newCustomer();
      const made: string[] = [];
      for (let i = 0; i < 3; i++) made.push((await reservations.reserve(reserveFor(customer, { needs: `room ${i}` }))).reservation!.id);
      for (const id of made) await myPageWhere(id, (p) => p.issueStatus === IssueStatus.ISSUED, "issued");
      const first = await mypages.listMyPages({ customerId: customer, pageSize: 2 });
      assert.equal(first.myPages.length, 2);
      assert.ok(first.nextPageToken);
      const second = await mypages.listMyPages({ customerId: customer, pageSize: 2, pageToken: first.nextPageToken });
      assert.deepEqual([...first.myPages, ...second.myPages].map((p) => p.reservationId), [...made].reverse());
      assert.equal(second.nextPageToken, "");
      const viaRest = await rest("GET", `/resort/mypages?customerId=${customer}&pageSize=2`);
      assert.deepEqual(viaRest.json.myPages.map((p: Json) => p.reservationId), made.slice(1).reverse());
      assert.deepEqual((await rest("GET", `/resort/mypages?reservationId=${made[0]}`)).json.myPages.map((p: Json) => p.needs), ["room 0"]);
      const resPage = await reservations.listReservations({ customerId: customer, pageSize: 1 });
      assert.deepEqual(resPage.reservations.map((r) => r.id), [made[2]]);
      const next = await reservations.listReservations({ customerId: customer, pageSize: 5, pageToken: resPage.nextPageToken });
      assert.deepEqual(next.reservations.map((r) => r.id), [made[1], made[0]]);
      const issuePage = await issues.listIssues({ pageSize: 1 });
      assert.equal(issuePage.issues.length, 1);
      assert.ok(issuePage.nextPageToken);
      assert.deepEqual(violatedFields(await rpcError(mypages.listMyPages({ customerId: "someone else", pageToken: first.nextPageToken }))), ["pageToken"]);
    });

    test("issue down: reservations and cancellations are still taken; back, each is issued or revoked once and refunded (consumer replay)", async () => {
      const customer = newCustomer();
      await sys.launcher.stop("resort-issue");
      const kept = (await reservations.reserve(reserveFor(customer))).reservation!.id;
      const dropped = (await reservations.reserve(reserveFor(customer))).reservation!.id;
      assert.ok((await reservations.cancelReservation({ id: dropped })).reservation!.cancelRequestedAt);
      await myPageWhere(dropped, (p) => p.steps.some((s) => s.event === "ReservationCancelRequested"), "cancel requested");
      assert.equal((await reservations.getReservation({ id: kept })).reservation!.status, ReservationStatus.RESERVED, "no voucher while issue is down");

      await sys.launcher.start("resort-issue");
      await sys.launcher.waitReady("resort-issue");
      await myPageWhere(kept, (p) => p.reservationStatus === ReservationStatus.CONFIRMED, "confirmed after issue came back");
      await myPageWhere(dropped, (p) => p.reservationStatus === ReservationStatus.CANCELLED && p.paymentStatus === PaymentStatus.CANCELLED, "cancelled and refunded");
      assert.deepEqual((await voucherOf(kept)).map((v) => v.status), [IssueStatus.ISSUED]);
      assert.deepEqual((await voucherOf(dropped)).map((v) => v.status), [IssueStatus.CANCELLED]);
      assert.equal((await paymentOf(kept))[0].status, PaymentStatus.APPROVED);
    });

    test("my page down: reservations go on; back, it catches up on every step from the events it missed", async () => {
      await sys.launcher.stop("resort-mypage");
      const customer = newCustomer();
      const { reservation } = await reservations.reserve(reserveFor(customer));
      const id = reservation!.id;
      await eventually("confirmed", async () => (await reservations.getReservation({ id })).reservation!.status === ReservationStatus.CONFIRMED);
      await sys.launcher.start("resort-mypage");
      await sys.launcher.waitReady("resort-mypage");
      const page = await myPageWhere(id, (p) => p.issueStatus === IssueStatus.ISSUED && p.paymentStatus === PaymentStatus.APPROVED && p.steps.length === 3, "caught up");
      assert.deepEqual(page.steps.map((s) => s.event).sort(), ["IssuedTicket", "PaymentApproved", "Reserved"]);
      assert.equal(page.customerId, customer);
    });

    test("bad input at every RPC and over REST: the documented code naming the field, never a 5xx, nothing written", async () => {
      const customer = newCustomer();
      const fields = async (p: Promise<unknown>) => {
        const e = await rpcError(p);
        assert.equal(Code[e.code], "InvalidArgument", e.rawMessage);
        return violatedFields(e);
      };
      assert.deepEqual(await fields(reservations.reserve({})), ["cost", "date", "persons", "region", "resort", "rooms"]);
      assert.deepEqual(await fields(reservations.reserve(reserveFor(customer, { date: "2026-02-30" }))), ["date"]);
      const past = await rpcError(reservations.reserve(reserveFor(customer, { date: daysAhead(-2) })));
      assert.deepEqual(violatedFields(past), ["date"], "a stay on a day that has passed");
      assert.match(past.rawMessage, /date: must be today or later/);
      assert.deepEqual(await fields(reservations.reserve(reserveFor(customer, { persons: 0, rooms: 51, cost: -1n }))), ["cost", "persons", "rooms"]);
      assert.deepEqual(await fields(reservations.reserve(reserveFor(customer, { needs: "x".repeat(301), paymentType: "no such!", customerId: "a b" }))), ["customerId", "needs", "paymentType"]);
      assert.deepEqual(await fields(reservations.getReservation({})), ["id"]);
      assert.deepEqual(await fields(reservations.cancelReservation({ reason: "x".repeat(301) })), ["id", "reason"]);
      assert.deepEqual(await fields(reservations.listReservations({ pageSize: 5000 })), ["pageSize"]);
      assert.deepEqual(await fields(issues.getIssue({})), ["id"]);
      assert.deepEqual(await fields(issues.checkIn({})), ["id"]);
      assert.deepEqual(await fields(issues.listIssues({ pageToken: "not a token" })), ["pageToken"]);
      assert.deepEqual(await fields(mypages.listMyPages({ pageSize: -1 })), ["pageSize"]);
      assert.equal(await codeOf(reservations.getReservation({ id: "no-such-reservation" })), "NotFound");
      assert.equal(await codeOf(reservations.cancelReservation({ id: "no-such-reservation" })), "NotFound");
      assert.equal(await codeOf(issues.getIssue({ id: "no-such-issue" })), "NotFound");
      assert.equal(await codeOf(issues.checkIn({ id: "no-such-issue" })), "NotFound");

      const badRest: Array<[string, string, unknown, BodyInit?]> = [
        ["POST", "/resort/reservations", { ...seedBody, persons: "four" }],
        ["POST", "/resort/reservations", { ...seedBody, cost: 1.5 }],
        ["POST", "/resort/reservations", { ...seedBody, date: "24/12/2026" }],
        ["POST", "/resort/reservations", { ...seedBody, date: "2020-01-01" }],
        ["POST", "/resort/reservations", undefined, Buffer.from([0x7b, 0x22, 0x72, 0xff, 0xfe, 0x22, 0x7d])],
        ["POST", "/resort/reservations", { ...seedBody, needs: "x".repeat(200_000) }],
        ["POST", "/resort/reservations", undefined, "{not json"],
        ["GET", "/resort/mypages?pageSize=abc", undefined],
        ["GET", "/resort/issues?pageToken=%FF%FE", undefined],
        ["DELETE", "/resort/reservations/no-such-reservation", undefined],
        ["GET", "/resort/reservations/no-such-reservation", undefined],
      ];
      for (const [method, path, body, raw] of badRest) {
        const res = await rest(method, path, body, raw);
        assert.ok(res.status >= 400 && res.status < 500, `${method} ${path}: ${res.status} ${JSON.stringify(res.json)?.slice(0, 200)}`);
      }
      assert.deepEqual((await reservations.listReservations({ customerId: customer })).reservations, [], "nothing written");
    });
  });
}
