// The seed's fault-isolation checkpoints, every service a real process: payment overloaded → the
// breaker opens and the customer is told at once to try again shortly (and no payment that went
// through late is kept without its reservation); payment down → cancelling still cancels, and
// the refund happens when payment is back.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { Code, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { PaymentService, PaymentStatus } from "../../gen/payment/v1/payment_pb.js";
import { IssueStatus } from "../../gen/resort/v1/issue_pb.js";
import { MyPageService } from "../../gen/resort/v1/mypage_pb.js";
import { ReservationService, ReservationStatus } from "../../gen/resort/v1/reservation_pb.js";
import { daysAhead, eventually, rpcError, sampleValue, startTestSystem, type TestSystem } from "../../mesh/testing/index.js";
import { catalog } from "../catalog.js";

// A day that is always ahead: a stay in the past is refused.
const stay = daysAhead(24);

const root = fileURLToPath(new URL("../..", import.meta.url));
const ids = catalog.filter((e) => ["resort", "payment", "notification", "gateway"].includes(e.system)).map((e) => e.id);
const payPath = "/payment.v1.PaymentService/Pay";
const reserve = (customerId: string) => ({ resort: "Seorak Hanwha", region: "Gangwon", date: stay, persons: 2, rooms: 1, cost: 200000n, customerId });

let sys: TestSystem;
const client = <S extends Parameters<typeof createClient>[0]>(service: S, id: string) => createClient(service, createGrpcTransport({ baseUrl: sys.url(id) }));
const breakerState = async () => sampleValue(await (await fetch(`${sys.url("resort-reservation", "http")}/metrics`)).text(), "mesh_breaker_state", { dependency: "payment", method: payPath });

describe("resort checkpoints: payment overloaded or down (processes)", { timeout: 180_000 }, () => {
  before(async () => {
    sys = await startTestSystem({
      catalog, root, ids,
      // A client deadline well under the overloaded payment's latency, a small threshold, and a
      // short wait before an abandoned payment is refunded, so each checkpoint takes seconds.
      env: { BREAKER_THRESHOLD: "3", BREAKER_HALF_OPEN_MS: "1000", CLIENT_TIMEOUT_MS: "400", PENDING_CALL_TIMEOUT_MS: "1000", SHUTDOWN_TIMEOUT_MS: "5000", CONSUMER_ACK_WAIT_MS: "3000" },
      log: "resort-breakers",
    });
  });
  after(async () => {
    await sys?.stop();
  });

  test("payment overloaded: the breaker opens and the customer is told at once to try again shortly; no late payment is kept without its reservation", async () => {
    const reservations = client(ReservationService, "resort-reservation");
    const payments = client(PaymentService, "payment");
    const customer = `overloaded-${process.pid}`;
    // Slow payment: every Pay takes longer than reservation's deadline (the seed's 610 ms hystrix case).
    await sys.launcher.stop("payment");
    await sys.launcher.start("payment", { env: { PAYMENT_LATENCY_MS: "1500" } });
    await sys.launcher.waitReady("payment");

    const answers: Array<{ code: string; message: string; retry: number }> = [];
    for (let i = 0; i < 8; i++) {
      const e = await rpcError(reservations.reserve(reserve(customer)));
      answers.push({ code: Code[e.code], message: e.rawMessage, retry: Number(e.findDetails(RetryInfoSchema)[0]?.retryDelay?.seconds) });
    }
    assert.ok(answers.every((a) => a.code === "Unavailable"), JSON.stringify(answers));
    assert.ok(answers.every((a) => /try your reservation again shortly/.test(a.message)), answers.map((a) => a.message).join(" | "));
    assert.ok(answers.every((a) => a.retry === 10), "a retry hint with every answer");
    assert.equal(await breakerState(), 2, "the breaker for Pay is open: later calls are refused without waiting on payment");
    assert.deepEqual((await reservations.listReservations({ customerId: customer })).reservations, [], "no reservation without payment");

    // The payments the slow calls made after the deadline are refunded: no charge without its reservation.
    await eventually("every late payment refunded", async () => {
      const list = (await payments.listPayments({ system: "resort" })).payments;
      return list.length > 0 && list.every((p) => p.status !== PaymentStatus.APPROVED) ? list : undefined;
    }, 30_000);

    // Payment healthy again: the breaker half-opens and reservations go through.
    await sys.launcher.stop("payment");
    await sys.launcher.start("payment");
    await sys.launcher.waitReady("payment");
    const { reservation } = await eventually("a reservation succeeds again", () => reservations.reserve(reserve(customer)).catch(() => undefined));
    assert.equal(reservation!.status, ReservationStatus.RESERVED);
    assert.equal(await breakerState(), 0, "breaker closed");
  });

  test("payment down: cancelling still cancels at once (the voucher revoked); the refund happens when payment is back", async () => {
    const reservations = client(ReservationService, "resort-reservation");
    const mypages = client(MyPageService, "resort-mypage");
    const payments = client(PaymentService, "payment");
    const customer = `down-${process.pid}`;
    const { reservation } = await eventually("a reservation", () => reservations.reserve(reserve(customer)).catch(() => undefined));
    const id = reservation!.id;
    await eventually("confirmed", async () => (await reservations.getReservation({ id })).reservation!.status === ReservationStatus.CONFIRMED);

    await sys.launcher.stop("payment");
    const { reservation: asked } = await reservations.cancelReservation({ id, reason: "payment is down, cancel anyway" });
    assert.ok(asked!.cancelRequestedAt);
    await eventually("cancelled while payment is down", async () => (await reservations.getReservation({ id })).reservation!.status === ReservationStatus.CANCELLED);
    const [page] = (await eventually("my page shows it", async () => {
      const list = (await mypages.listMyPages({ reservationId: id })).myPages;
      return list[0]?.reservationStatus === ReservationStatus.CANCELLED && list[0].issueStatus === IssueStatus.CANCELLED ? list : undefined;
    }));
    assert.equal(page.paymentStatus, PaymentStatus.APPROVED, "not refunded yet: payment is down");

    await sys.launcher.start("payment");
    await sys.launcher.waitReady("payment");
    await eventually("refunded once payment is back", async () => (await payments.listPayments({ system: "resort", referenceId: id })).payments[0]?.status === PaymentStatus.CANCELLED);
    await eventually("my page shows the refund", async () => (await mypages.listMyPages({ reservationId: id })).myPages[0]?.paymentStatus === PaymentStatus.CANCELLED);
  });
});
