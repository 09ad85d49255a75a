// Races over many interleavings, every service a real process: the renter cancelling against the
// manager renting out (the item decides), and two renters reserving one item at once (the item
// decides). A seeded generator (RACE_SEED=<seed> replays a run).
import assert from "node:assert/strict";
import { appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { ItemService } from "../../gen/rental/v1/item_pb.js";
import { ReservationService, type Reservation } from "../../gen/rental/v1/reservation_pb.js";
import { ItemStatus, PaymentStatus, RentalStatus, ReservationStatus } from "../../gen/rental/v1/status_pb.js";
import { PaymentService, PaymentStatus as PayStatus } from "../../gen/payment/v1/payment_pb.js";
import { eventually, startTestSystem, type TestSystem } from "../../mesh/testing/index.js";
import { catalog } from "../catalog.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const logFile = join(tmpdir(), `rental-races-${process.pid}.log`);
const ids = ["payment", "notification", "rental-item", "rental-reservation"];
const seed = Number(process.env.RACE_SEED ?? Date.now() % 100_000);
let state = seed;
const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pause = (maxMs: number) => sleep(Math.floor(random() * maxMs));

let sys: TestSystem;
const client = <S extends Parameters<typeof createClient>[0]>(service: S, id: string) => createClient(service, createGrpcTransport({ baseUrl: sys.url(id) }));

describe("rental races (processes)", { timeout: 240_000 }, () => {
  let items: ReturnType<typeof client<typeof ItemService>>;
  let reservations: ReturnType<typeof client<typeof ReservationService>>;
  let payments: ReturnType<typeof client<typeof PaymentService>>;
  before(async () => {
    sys = await startTestSystem({ catalog, root, ids, env: { CONSUMER_ACK_WAIT_MS: "3000" }, write: (line) => appendFileSync(logFile, line + "\n") });
    items = client(ItemService, "rental-item");
    reservations = client(ReservationService, "rental-reservation");
    payments = client(PaymentService, "payment");
  });
  after(async () => {
    await sys?.stop();
    console.log(`# service logs: ${logFile}; RACE_SEED=${seed}`);
  });
  const settled = (id: string, ok: (r: Reservation) => boolean) =>
    eventually(`reservation ${id} settles`, async () => {
      const r = (await reservations.getReservation({ id })).reservation!;
      return ok(r) ? r : undefined;
    });
  const paymentOf = async (referenceId: string) => (await payments.listPayments({ system: "rental", referenceId })).payments[0];

  test("cancel against rent-out, 24 interleavings: each ends cancelled and refunded or rented and charged, never both", async () => {
    const outcomes = { cancelled: 0, rented: 0 };
    await Promise.all(Array.from({ length: 24 }, async (_, i) => {
      const { item } = await items.registerItem({ itemName: `Tent ${i}`, itemPrice: 1000n });
      const { reservation } = await reservations.reserve({ customerName: "Renter", customerId: `race-${i}`, itemNo: item!.id });
      const id = reservation!.id;
      await reservations.payReservation({ id });
      const cancel = (async () => {
        await pause(40);
        await reservations.cancelReservation({ id, reason: "race" }).catch(() => undefined);
      })();
      const rentOut = (async () => {
        // The cancel travels as an event to the item; renting out is a direct call: it waits a little longer.
        await pause(300);
        // Until the item has heard of the reservation and its payment; then it decides.
        for (;;) {
          const e = await items.rentOutItem({ id: item!.id, reservationNo: id }).then(() => undefined, (x) => ConnectError.from(x));
          if (!e || !/not paid|not known|nobody|not reserved/.test(e.rawMessage)) return;
          await sleep(10);
        }
      })();
      await Promise.all([cancel, rentOut]);
      const r = await settled(id, (x) => x.reservationStatus === ReservationStatus.CANCELLED || (x.rentalStatus === RentalStatus.RENTING && (!x.cancelRequestedAt || x.cancelRefusal !== "")));
      const itemNow = (await items.getItem({ id: item!.id })).item!;
      if (r.reservationStatus === ReservationStatus.CANCELLED) {
        outcomes.cancelled++;
        assert.equal(r.paymentStatus, PaymentStatus.REFUNDED);
        await eventually("refunded", async () => (await paymentOf(id))?.status === PayStatus.CANCELLED);
        assert.equal(itemNow.rentalStatus, RentalStatus.NOT_RENTING, "never rented");
        assert.equal(itemNow.itemStatus, ItemStatus.RENTABLE, "availability restored");
      } else {
        outcomes.rented++;
        assert.equal(itemNow.rentalStatus, RentalStatus.RENTING);
        assert.equal((await paymentOf(id)).status, PayStatus.APPROVED, "rented and charged, not refunded");
        if (r.cancelRequestedAt) assert.match(r.cancelRefusal, /rented out/);
      }
    }));
    console.log(`# cancelled ${outcomes.cancelled}, rented ${outcomes.rented}`);
    assert.equal(outcomes.cancelled + outcomes.rented, 24);
  });

  test("two renters racing for one item, 12 interleavings: exactly one live reservation; the other rejected and refunded", async () => {
    await Promise.all(Array.from({ length: 12 }, async (_, i) => {
      const { item } = await items.registerItem({ itemName: `Bike ${i}`, itemPrice: 500n });
      const renter = async (who: string) => {
        await pause(30);
        const { reservation } = await reservations.reserve({ customerName: who, customerId: `${who}-${i}`, itemNo: item!.id });
        if (random() < 0.7) await reservations.payReservation({ id: reservation!.id }).catch(() => undefined);
        return reservation!.id;
      };
      const [a, b] = await Promise.all([renter("ann"), renter("bob")]);
      const closed = (x: Reservation) => x.reservationStatus !== ReservationStatus.RESERVED;
      const [ra, rb] = await eventually(`item ${i}: one of the two rejected`, async () => {
        const both = await Promise.all([a, b].map(async (id) => (await reservations.getReservation({ id })).reservation!));
        return both.some(closed) ? both : undefined;
      });
      const [live, lost] = closed(ra) ? [rb, ra] : [ra, rb];
      assert.equal(live.reservationStatus, ReservationStatus.RESERVED, "exactly one live reservation");
      assert.equal(lost.reservationStatus, ReservationStatus.REJECTED);
      assert.equal((await items.getItem({ id: item!.id })).item!.reservationNo, live.id, "the item holds the live one");
      const lostPayment = await paymentOf(lost.id);
      if (lostPayment) await eventually("the loser refunded (or never charged)", async () => (await paymentOf(lost.id))!.status !== PayStatus.APPROVED);
      const livePayment = await paymentOf(live.id);
      if (live.paymentStatus === PaymentStatus.PAID) assert.equal(livePayment!.status, PayStatus.APPROVED);
    }));
  });
});

