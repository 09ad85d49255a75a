// Cancel against completion, as real processes: many requests, each with the customer cancelling
// (or deleting the payment method) and the cleaner completing at random moments of each other.
// The cleaner decides; whatever the interleaving, each request ends either cancelled and refunded
// with its job called off, or completed and charged, never both.
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { CleaningService, CleaningStatus } from "../../gen/cleaning/v1/cleaning_pb.js";
import { DashBoardService } from "../../gen/cleaning/v1/dashboard_pb.js";
import { PaymethodService } from "../../gen/cleaning/v1/paymethod_pb.js";
import { CleaningReservationService, ReservationStatus } from "../../gen/cleaning/v1/reservation_pb.js";
import { PaymentService, PaymentStatus, type Payment } from "../../gen/payment/v1/payment_pb.js";
import { idOfPaymentReference } from "../../mesh/kernel/index.js";
import { daysAhead, eventually, seededRandom, startTestSystem, type TestSystem } from "../../mesh/testing/index.js";
import { catalog } from "../catalog.js";

// A day that is always ahead: a cleaning in the past is refused.
const cleaningDay = daysAhead(1);

const root = fileURLToPath(new URL("../..", import.meta.url));
const ids = ["payment", "notification", "cleaning-reservation", "cleaning-cleaning", "cleaning-paymethod", "cleaning-dashboard"];
// A seeded generator, so that a failing interleaving can be replayed (RACE_SEED=<seed>).
const { seed, random } = seededRandom("RACE_SEED");
const codeOf = (e: unknown) => (e instanceof ConnectError ? e.code : Code.Unknown);

let sys: TestSystem;
const client = <S extends Parameters<typeof createClient>[0]>(service: S, id: string) => createClient(service, createGrpcTransport({ baseUrl: sys.url(id) }));

describe("cancel against completion (processes)", { timeout: 180_000 }, () => {
  before(async () => {
    sys = await startTestSystem({ catalog, root, ids, env: { CONSUMER_ACK_WAIT_MS: "3000" }, log: "cleaning-races" });
  });
  after(async () => {
    await sys?.stop();
    console.log(`# RACE_SEED=${seed}`);
  });

  test("apply, pay, then cancel (or delete the payment method) and complete interleaved over 24 requests: cancelled and refunded, or completed and charged, never both", async () => {
    const reservations = client(CleaningReservationService, "cleaning-reservation");
    const paymethods = client(PaymethodService, "cleaning-paymethod");
    const cleanings = client(CleaningService, "cleaning-cleaning");
    const payments = client(PaymentService, "payment");
    const dashboard = client(DashBoardService, "cleaning-dashboard");

    // A registration that timed out (a loaded machine) is undone and may simply be tried again: each attempt pays under its own reference.
    const register = async (requestId: string) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return (await paymethods.registerPaymethod({ requestId, kind: "credit", number: "4111111111111111" })).paymethod!;
        } catch (e) {
          if (codeOf(e) !== Code.Unavailable || attempt >= 5) throw e;
          await sleep(200);
        }
      }
    };
    /** Every payment attempt of the requests, by request. */
    const paymentsByRequest = async () => {
      const byRequest = new Map<string, Payment[]>();
      for (const p of (await payments.listPayments({ system: "cleaning", pageSize: 1000 })).payments) {
        const id = idOfPaymentReference(p.referenceId);
        byRequest.set(id, [...(byRequest.get(id) ?? []), p]);
      }
      return byRequest;
    };
    const drive = async (index: number) => {
      const { cleaningReservation: r } = await reservations.createCleaningReservation({ place: `Seoul ${index}`, requestDate: cleaningDay, price: 30000n + BigInt(index) });
      const paymethod = await register(r!.id);
      const [cancelAfter, completeAfter] = [Math.floor(random() * 400), Math.floor(random() * 400)];
      const byDeleting = index % 3 === 0;
      const customer = async () => {
        await sleep(cancelAfter);
        try {
          if (byDeleting) await paymethods.deletePaymethod({ id: paymethod!.id });
          else await reservations.cancelCleaningReservation({ id: r!.id, reason: `race ${index}` });
        } catch (e) {
          if (codeOf(e) !== Code.FailedPrecondition) throw e; // already known completed
        }
      };
      const cleaner = async () => {
        await sleep(completeAfter);
        for (let i = 0; i < 200; i++) {
          const [job] = (await cleanings.listCleanings({ requestId: r!.id })).cleanings;
          if (!job) {
            await sleep(20);
            continue;
          }
          try {
            return void (await cleanings.completeCleaning({ id: job.id }));
          } catch (e) {
            if (codeOf(e) === Code.FailedPrecondition) return; // called off first
            throw e;
          }
        }
      };
      await Promise.all([customer(), cleaner()]);
      return r!.id;
    };
    const requestIds = await Promise.all(Array.from({ length: 24 }, (_, i) => drive(i)));

    let [cancelled, completed] = [0, 0];
    for (const id of requestIds) {
      const end = await eventually(`request ${id} settled`, async () => {
        const r = (await reservations.getCleaningReservation({ id })).cleaningReservation!;
        const [job] = (await cleanings.listCleanings({ requestId: id })).cleanings;
        const paid = (await paymentsByRequest()).get(id) ?? [];
        const approved = paid.filter((p) => p.status === PaymentStatus.APPROVED);
        const [view] = (await dashboard.listDashBoardViews({ requestId: id })).dashBoardViews;
        const settled = (r.status === ReservationStatus.RESERVATION_CANCELED && paid.some((p) => p.status === PaymentStatus.CANCELLED) && approved.length === 0 && view?.status === r.status)
          || (r.status === ReservationStatus.CLEANING_COMPLETED && approved.length === 1 && view?.status === r.status);
        return settled ? { r, job, approved } : undefined;
      }, 30_000);
      if (end.r.status === ReservationStatus.RESERVATION_CANCELED) {
        cancelled++;
        assert.equal(end.job?.status, CleaningStatus.CLEANING_CANCELED, `${id}: refunded, so never cleaned`);
      } else {
        completed++;
        assert.equal(end.job?.status, CleaningStatus.CLEANING_COMPLETED);
        assert.equal(end.approved.length, 1, `${id}: cleaned, so charged (once) and not refunded`);
      }
    }
    console.log(`# ${cancelled} cancelled, ${completed} completed`);
    assert.equal(cancelled + completed, 24);
  });
});
