// The issue context and my page in this process, against real JetStream and a real database of
// each dialect, fed with events as the reservation context and payment publish them: a fact
// announced twice (two events) or one event delivered twice changes nothing twice.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createClient } from "@connectrpc/connect";
import { PaymentStatus } from "../../gen/payment/v1/payment_pb.js";
import { IssueService, IssueStatus } from "../../gen/resort/v1/issue_pb.js";
import { MyPageService } from "../../gen/resort/v1/mypage_pb.js";
import { ReservationStatus } from "../../gen/resort/v1/reservation_pb.js";
import { deleteNamespaceStreams, eventsHandled, eventually, startInProcess, testDialects, testNamespace, type InProcessService } from "../../mesh/testing/index.js";
import { catalog } from "../catalog.js";
import { paymentEvents } from "../payment/events.js";
import { CancelledTicket, issueAnswers, IssuedTicket, ReservationCancelRequested, Reserved } from "./events.js";
import { issueContext } from "./issue/service.js";
import { mypageContext } from "./mypage/service.js";

for (const dialect of testDialects) {
  describe(`resort issue and my page on ${dialect}`, { timeout: 120_000 }, () => {
    const namespace = testNamespace();
    let issue: InProcessService, mypage: InProcessService;
    let issues: ReturnType<typeof createClient<typeof IssueService>>;
    let mypages: ReturnType<typeof createClient<typeof MyPageService>>;
    const env = { CONSUMER_ACK_WAIT_MS: "2000" };
    const reserved = (reservationId: string) => ({
      reservationId, customerId: "c-dup", resort: "Seorak Hanwha", region: "Gangwon", date: "2026-12-24", persons: 2, rooms: 1, needs: "",
      cost: { amount: 100000n, currency: "KRW" }, paymentType: "card", paymentId: `p-${reservationId}`,
    });

    before(async () => {
      issue = await startInProcess(issueContext, catalog, dialect, env, namespace);
      mypage = await startInProcess(mypageContext, catalog, dialect, env, namespace);
      issues = createClient(IssueService, issue.transport);
      mypages = createClient(MyPageService, mypage.transport);
    });
    after(async () => {
      for (const s of [mypage, issue]) await s?.stop();
      await deleteNamespaceStreams(process.env.NATS_URL || "nats://127.0.0.1:4222", namespace);
    });

    test("Reserved announced twice issues one voucher; a cancel request delivered twice revokes it once and is answered both times", async () => {
      const reservationId = `dup-${namespace}`;
      const issuedSeen = issue.watch(IssuedTicket);
      const revokedSeen = issue.watch(CancelledTicket);
      const confirmedSeen = issue.watch(issueAnswers.CancelConfirmed);
      const handled = () => eventsHandled(issue.running, "issueTicketWhenReserved", "handled");
      const before = await handled();
      await issue.publish(Reserved, reserved(reservationId));
      await issue.publish(Reserved, reserved(reservationId));
      await eventually("both Reserved handled", async () => (await handled()) - before === 2);
      const list = (await issues.listIssues({ reservationId })).issues;
      assert.deepEqual(list.map((i) => i.status), [IssueStatus.ISSUED]);
      await eventually("IssuedTicket", async () => issuedSeen.length >= 1);
      assert.equal(issuedSeen.filter((e) => e.message.reservationId === reservationId).length, 1);

      await issue.publish(ReservationCancelRequested, { reservationId, reason: "twice" });
      await issue.publish(ReservationCancelRequested, { reservationId, reason: "twice" });
      await eventually("both requests answered", async () => confirmedSeen.filter((e) => e.message.referenceId === reservationId).length === 2);
      assert.equal(revokedSeen.filter((e) => e.message.reservationId === reservationId).length, 1, "revoked once");
      assert.deepEqual((await issues.listIssues({ reservationId })).issues.map((i) => i.status), [IssueStatus.CANCELLED]);
    });

    test("my page: one event delivered twice (one id) is one step; the statuses never move back when events arrive out of order", async () => {
      const reservationId = `view-${namespace}`;
      const payment = paymentEvents("resort");
      const handled = () => eventsHandled(mypage.running, "updateMyPageWhenReservationChanges", "handled");
      const before = await handled();
      // Out of order: the refund and the revoked voucher before the reservation itself.
      await mypage.publish(payment.PaymentCancelled, { paymentId: "p1", system: "resort", referenceId: reservationId, amount: { amount: 100000n, currency: "KRW" }, reason: "x" });
      await mypage.publish(CancelledTicket, { issueId: "i1", reservationId, ticketNumber: "T-1" });
      const id = await mypage.publish(Reserved, reserved(reservationId));
      await mypage.publish(Reserved, reserved(reservationId), { id });
      await mypage.publish(payment.PaymentApproved, { paymentId: "p1", system: "resort", referenceId: reservationId, amount: { amount: 100000n, currency: "KRW" }, method: "card" });
      // The issue context (running too) answers Reserved with its IssuedTicket: late, after the revocation.
      await eventually("five events handled", async () => (await handled()) - before >= 5);
      await eventually("five steps", async () => (await mypages.listMyPages({ reservationId })).myPages[0]?.steps.length === 5);
      // Read again: the row and its steps are two reads, so the first may predate the last step's commit.
      const [page] = (await mypages.listMyPages({ reservationId })).myPages;
      assert.deepEqual(page.steps.map((s) => s.event).sort(), ["CancelledTicket", "IssuedTicket", "PaymentApproved", "PaymentCancelled", "Reserved"]);
      assert.equal(page.paymentStatus, PaymentStatus.CANCELLED, "a late approval does not undo the refund");
      assert.equal(page.issueStatus, IssueStatus.CANCELLED, "a late issue does not undo the revocation");
      assert.equal(page.reservationStatus, ReservationStatus.CONFIRMED);
      assert.equal(page.customerId, "c-dup");
      assert.equal(page.steps.filter((s) => s.event === "Reserved").length, 1, "the second copy of Reserved is no second step");
    });
  });
}
