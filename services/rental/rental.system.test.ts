// The rental system end to end: item, reservation, payment, notification and the gateway as real
// OS processes against the real NATS JetStream, on SQLite and on MariaDB. Scenarios follow the
// numbered steps of systems.md (rental) and the seed's checkpoints.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { Code, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { ItemHoldService } from "../../gen/rental/v1/item_hold_pb.js";
import { ItemService, type ItemInfo } from "../../gen/rental/v1/item_pb.js";
import { ReservationService, type Reservation } from "../../gen/rental/v1/reservation_pb.js";
import { ItemStatus, PaymentStatus, RentalStatus, ReservationStatus } from "../../gen/rental/v1/status_pb.js";
import { NotificationService } from "../../gen/notification/v1/notification_pb.js";
import { PaymentService, PaymentStatus as PayStatus } from "../../gen/payment/v1/payment_pb.js";
import { codeOf, eventually, rpcError, sampleValue, startTestSystem, testDialects, type TestSystem } from "../../mesh/testing/index.js";
import { catalog } from "../catalog.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const ids = catalog.filter((e) => ["rental", "payment", "notification", "gateway"].includes(e.system)).map((e) => e.id);
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

for (const dialect of testDialects) {
  describe(`rental system (processes, ${dialect})`, { timeout: 240_000 }, () => {
    let sys: TestSystem;
    let gateway: string;
    const client = <S extends Parameters<typeof createClient>[0]>(service: S, id: string) => createClient(service, createGrpcTransport({ baseUrl: sys.url(id) }));
    let items: ReturnType<typeof client<typeof ItemService>>;
    let reservations: ReturnType<typeof client<typeof ReservationService>>;
    let payments: ReturnType<typeof client<typeof PaymentService>>;
    let notifications: ReturnType<typeof client<typeof NotificationService>>;
    let customerSeq = 0;

    // httpie's way: `a=b` is a JSON string.
    async function http(method: string, path: string, fields: Record<string, string> = {}) {
      const body = Object.keys(fields).length ? JSON.stringify(fields) : undefined;
      const res = await fetch(gateway + path, { method, body, headers: body ? { "content-type": "application/json" } : {} });
      const text = await res.text();
      return { status: res.status, json: (text ? JSON.parse(text) : undefined) as Json };
    }
    const camera = async (price = 100n) => (await items.registerItem({ itemName: "Camera", itemPrice: price })).item!;
    const reserveFor = async (itemNo: string, customerId = `c${++customerSeq}`) =>
      (await reservations.reserve({ customerName: "YoungEunSong", customerId, itemNo })).reservation!;
    const reservationWhere = (id: string, ok: (r: Reservation) => boolean, what: string) =>
      eventually(`reservation ${id}: ${what}`, async () => {
        const r = (await reservations.getReservation({ id })).reservation!;
        return ok(r) ? r : undefined;
      });
    const infoWhere = (itemNo: string, ok: (i: ItemInfo) => boolean, what: string) =>
      eventually(`item info ${itemNo}: ${what}`, async () => {
        const [info] = (await items.listItemInfos({ itemNo })).itemInfos;
        return info && ok(info) ? info : undefined;
      });
    const held = (itemNo: string, reservationNo: string) =>
      eventually(`item ${itemNo} held by ${reservationNo}`, async () => (await items.getItem({ id: itemNo })).item!.reservationNo === reservationNo);
    const metric = async (id: string, name: string, labels: Record<string, string>) =>
      sampleValue(await (await fetch(`${sys.url(id, "http")}/metrics`)).text(), name, labels) ?? 0;
    const paymentsOf = async (referenceId: string) => (await payments.listPayments({ system: "rental", referenceId })).payments;
    const refunded = (referenceId: string) =>
      eventually(`payment ${referenceId} refunded`, async () => (await paymentsOf(referenceId))[0]?.status === PayStatus.CANCELLED);

    before(async () => {
      sys = await startTestSystem({
        catalog, root, ids, dialect,
        env: { BREAKER_THRESHOLD: "3", BREAKER_HALF_OPEN_MS: "1000", CLIENT_TIMEOUT_MS: "1500", SHUTDOWN_TIMEOUT_MS: "5000", CONSUMER_ACK_WAIT_MS: "3000" },
        log: `rental-system-${dialect}`,
      });
      gateway = sys.url("gateway", "http");
      items = client(ItemService, "rental-item");
      reservations = client(ReservationService, "rental-reservation");
      payments = client(PaymentService, "payment");
      notifications = client(NotificationService, "notification");
    });
    after(async () => {
      await sys?.stop();
    });

    test("the seed's httpie commands through the gateway, as typed: register, reserve, pay, rent out, return, itemInfoes", async () => {
      const registered = await http("POST", "/rental/items", { itemName: "Camera", itemPrice: "100", itemStatus: "Rentable", rentalStatus: "NotRenting" });
      assert.equal(registered.status, 200, JSON.stringify(registered.json));
      const itemNo = registered.json.item.id;
      assert.equal(registered.json.item.itemStatus, "ITEM_STATUS_RENTABLE");
      const reserved = await http("POST", "/rental/reservations",
        { customerName: "YoungEunSong", customerId: "1", itemNo, itemName: "Camera", itemPrice: "100", paymentStatus: "NotPaid", rentalStatus: "NotRenting" });
      assert.equal(reserved.status, 200, JSON.stringify(reserved.json));
      const reservationNo = reserved.json.reservation.id;
      // Step 5: the item becomes not rentable.
      await held(itemNo, reservationNo);
      const paid = await http("PATCH", `/rental/reservations/${reservationNo}`, { paymentStatus: "Paid" });
      assert.equal(paid.status, 200, JSON.stringify(paid.json));
      assert.equal(paid.json.reservation.paymentStatus, "PAYMENT_STATUS_PAID");
      const listed = await http("GET", "/payments?system=rental");
      assert.ok(listed.json.payments.some((p: Json) => p.referenceId === reservationNo && p.status === "PAYMENT_STATUS_APPROVED"));
      const item = await http("GET", `/rental/items/${itemNo}`);
      assert.equal(item.json.item.itemStatus, "ITEM_STATUS_NOT_RENTABLE");
      await eventually("the item knows it is paid", async () =>
        (await http("PATCH", `/rental/items/${itemNo}`, { itemNo, reservationNo, itemStatus: "NotRentable", rentalStatus: "Renting" })).status === 200);
      const renting = await reservationWhere(reservationNo, (r) => r.rentalStatus === RentalStatus.RENTING, "renting");
      assert.equal((await http("GET", `/rental/reservations/${reservationNo}`)).json.reservation.rentalStatus, "RENTAL_STATUS_RENTING");
      assert.equal(renting.paymentStatus, PaymentStatus.PAID);
      const returned = await http("PATCH", `/rental/items/${itemNo}`, { itemNo, reservationNo, itemStatus: "Rentable", rentalStatus: "Returned" });
      assert.equal(returned.status, 200, JSON.stringify(returned.json));
      assert.equal(returned.json.item.itemStatus, "ITEM_STATUS_RENTABLE");
      await reservationWhere(reservationNo, (r) => r.rentalStatus === RentalStatus.RETURNED, "returned");
      // Step 11: the item-info view, at both spellings, shows item, reservation and payment status together.
      const info = await eventually("view shows the return", async () => {
        const { json } = await http("GET", `/rental/itemInfoes?itemNo=${itemNo}`);
        return json.itemInfos[0]?.rentalStatus === "RENTAL_STATUS_RETURNED" ? json.itemInfos[0] : undefined;
      });
      assert.deepEqual([info.itemStatus, info.reservationNo, info.reservationStatus, info.paymentStatus, info.customerName],
        ["ITEM_STATUS_RENTABLE", reservationNo, "RESERVATION_STATUS_RESERVED", "PAYMENT_STATUS_PAID", "YoungEunSong"]);
      assert.deepEqual(info.steps.map((s: Json) => s.event), ["ItemRegistered", "Reserved", "ItemReserved", "ReservationPaid", "RentedItem", "ReturnedItem"]);
      assert.ok(info.steps.every((s: Json) => Date.parse(s.recordedAt) >= Date.parse(s.occurredAt)), "each step's lag is measurable");
      assert.equal((await http("GET", `/rental/itemInfos?itemNo=${itemNo}`)).json.itemInfos[0].itemNo, itemNo);
      // Every status change told the renter (customer id 1).
      const told = await eventually("six messages", async () => {
        const list = (await notifications.listNotifications({ referenceId: reservationNo })).notifications;
        return list.length >= 5 ? list : undefined;
      });
      assert.deepEqual(told.map((n) => n.eventType.split(".").pop()).sort(), ["ItemReserved", "RentedItem", "ReservationPaid", "Reserved", "ReturnedItem"]);
      assert.ok(told.every((n) => n.recipient === "1"));
    });

    test("the seed's PATCH forms that ask for nothing sensible are a clear 4xx (400 bad field, 412 refused by a rule)", async () => {
      const { id: itemNo } = await camera();
      const bad = async (method: string, path: string, fields: Record<string, string>) => (await http(method, path, fields)).status;
      assert.equal(await bad("PATCH", `/rental/items/${itemNo}`, { itemStatus: "NotRentable" }), 412, "not rentable by hand");
      assert.equal(await bad("PATCH", `/rental/items/${itemNo}`, { itemNo: "other", rentalStatus: "Renting" }), 400, "itemNo must match");
      assert.equal(await bad("PATCH", `/rental/items/${itemNo}`, {}), 400);
      assert.equal(await bad("PATCH", `/rental/items/${itemNo}`, { itemStatus: "NotRentable", rentalStatus: "Renting" }), 412, "nobody to rent it to");
      assert.equal(await bad("POST", "/rental/items", { itemName: "Camera", itemPrice: "100", itemStatus: "NotRentable" }), 400);
      assert.equal(await bad("POST", "/rental/items", { itemName: "Camera", itemPrice: "abc" }), 400);
      const r = await reserveFor(itemNo);
      assert.equal(await bad("PATCH", `/rental/reservations/${r.id}`, { rentalStatus: "Renting" }), 412, "the manager's status");
      assert.equal(await bad("PATCH", `/rental/reservations/${r.id}`, { paymentStatus: "NotPaid" }), 412, "nothing paid to cancel");
      assert.equal(await bad("PATCH", `/rental/reservations/${r.id}`, { paymentStatus: "Paid", reservationStatus: "Cancelled" }), 400, "one change at a time");
      assert.equal(await bad("POST", "/rental/reservations", { customerName: "a", customerId: "1", itemNo, paymentStatus: "Paid" }), 400);
      assert.equal(await bad("POST", "/rental/reservations", { customerName: "a", customerId: "1", itemNo, itemPrice: "1" }), 412, "price must match");
      assert.equal((await http("GET", "/rental/items/unknown")).status, 404);
      assert.equal((await http("GET", "/rental/reservations/unknown")).status, 404);
    });

    test("steps 1-2: deleting is refused while reserved or rented, allowed when free; a deleted item cannot be reserved", async () => {
      const item = await camera();
      const r = await reserveFor(item.id);
      await held(item.id, r.id);
      const whileReserved = await rpcError(items.deleteItem({ id: item.id }));
      assert.equal(whileReserved.code, Code.FailedPrecondition);
      assert.match(whileReserved.rawMessage, /reserved/);
      await reservations.payReservation({ id: r.id });
      await eventually("rented out", () => items.rentOutItem({ id: item.id, reservationNo: r.id }).catch(() => undefined));
      assert.match((await rpcError(items.deleteItem({ id: item.id }))).rawMessage, /rented out/);
      await items.returnItem({ id: item.id });
      const { item: deleted } = await items.deleteItem({ id: item.id });
      assert.equal(deleted!.id, item.id);
      assert.equal(await codeOf(items.getItem({ id: item.id })), "NotFound");
      assert.ok(!(await items.listItems({})).items.some((i) => i.id === item.id));
      await infoWhere(item.id, (i) => i.deleted, "deleted");
      await eventually("reservation refuses a deleted item", async () => (await codeOf(reserveFor(item.id))) === "FailedPrecondition");
    });

    test("step 4: the renter cancels; the item confirms and is rentable again; nothing paid, nothing refunded", async () => {
      const item = await camera();
      const r = await reserveFor(item.id);
      await held(item.id, r.id);
      const asked = (await reservations.cancelReservation({ id: r.id, reason: "changed my mind" })).reservation!;
      assert.ok(asked.cancelRequestedAt);
      const cancelled = await reservationWhere(r.id, (x) => x.reservationStatus === ReservationStatus.CANCELLED, "cancelled");
      assert.equal(cancelled.cancelReason, "changed my mind");
      await eventually("item rentable again", async () => (await items.getItem({ id: item.id })).item!.itemStatus === ItemStatus.RENTABLE);
      await infoWhere(item.id, (i) => i.itemStatus === ItemStatus.RENTABLE && i.reservationStatus === ReservationStatus.CANCELLED, "cancelled in the view");
      // Another renter may now take it.
      const next = await reserveFor(item.id);
      await held(item.id, next.id);
      assert.equal(await codeOf(reservations.payReservation({ id: r.id })), "FailedPrecondition", "a cancelled reservation is not paid");
    });

    test("steps 6, 7, 9: pay, cancel the payment (refunded), pay again; cancelling the paid reservation refunds it", async () => {
      const item = await camera(250n);
      const r = await reserveFor(item.id);
      const paid = (await reservations.payReservation({ id: r.id })).reservation!;
      assert.equal(paid.paymentStatus, PaymentStatus.PAID);
      assert.equal((await paymentsOf(r.id))[0].amount!.amount, 250n);
      const unpaid = (await reservations.updateReservation({ id: r.id, paymentStatus: PaymentStatus.NOT_PAID })).reservation!;
      assert.equal(unpaid.paymentStatus, PaymentStatus.NOT_PAID);
      assert.equal((await paymentsOf(r.id))[0].status, PayStatus.CANCELLED);
      const again = (await reservations.updateReservation({ id: r.id, paymentStatus: PaymentStatus.PAID })).reservation!;
      assert.equal(again.paymentStatus, PaymentStatus.PAID);
      assert.equal((await paymentsOf(`${r.id}.2`))[0].status, PayStatus.APPROVED, "a second payment, under its own reference");
      await held(item.id, r.id);
      await reservations.updateReservation({ id: r.id, reservationStatus: ReservationStatus.CANCELLED });
      const closed = await reservationWhere(r.id, (x) => x.reservationStatus === ReservationStatus.CANCELLED, "cancelled");
      assert.equal(closed.paymentStatus, PaymentStatus.REFUNDED);
      await refunded(`${r.id}.2`);
      await infoWhere(item.id, (i) => i.paymentStatus === PaymentStatus.REFUNDED, "refunded in the view");
    });

    test("the reservation died after the item consented to cancel its payment: the item's PaymentReleased finishes it (unpaid, refunded)", async () => {
      const item = await camera(300n);
      const r = await reserveFor(item.id);
      await reservations.payReservation({ id: r.id });
      await held(item.id, r.id);
      // What CancelPayment's first step does; its second (recording the cancel) never happens.
      const holds = client(ItemHoldService, "rental-item");
      await holds.releasePayment({ itemNo: item.id, reservationNo: r.id, paymentReference: r.id });
      const unpaid = await reservationWhere(r.id, (x) => x.paymentStatus === PaymentStatus.NOT_PAID, "unpaid, from the item's event");
      assert.equal(unpaid.reservationStatus, ReservationStatus.RESERVED);
      await refunded(r.id);
      const rentOut = await items.rentOutItem({ id: item.id, reservationNo: r.id }).catch((e: unknown) => e);
      assert.match(String((rentOut as Error).message), /not paid/i, "not rented out on the released payment");
    });

    test("a declined payment leaves the reservation unpaid, with nothing charged", async () => {
      const item = await camera();
      const r = await reserveFor(item.id);
      const declined = await rpcError(reservations.payReservation({ id: r.id, paymentMethod: "decline" }));
      assert.equal(declined.code, Code.FailedPrecondition);
      assert.match(declined.rawMessage, /declined/);
      assert.equal((await reservations.getReservation({ id: r.id })).reservation!.paymentStatus, PaymentStatus.NOT_PAID);
      assert.ok((await paymentsOf(r.id)).every((p) => p.status !== PayStatus.APPROVED));
      assert.equal((await reservations.payReservation({ id: r.id })).reservation!.paymentStatus, PaymentStatus.PAID, "a good card works afterwards");
    });

    test("steps 8-9: rented out first, the renter's cancel is refused by the item and shown; nothing refunded", async () => {
      const item = await camera();
      const r = await reserveFor(item.id);
      await reservations.payReservation({ id: r.id });
      await eventually("rented out", () => items.rentOutItem({ id: item.id }).catch(() => undefined));
      // The reservation may not know yet that it is rented: the item decides.
      await reservations.cancelReservation({ id: r.id }).catch(() => undefined);
      const seen = await reservationWhere(r.id, (x) => x.rentalStatus === RentalStatus.RENTING, "renting");
      assert.equal(seen.reservationStatus, ReservationStatus.RESERVED);
      assert.equal((await paymentsOf(r.id))[0].status, PayStatus.APPROVED, "still charged");
      assert.equal(await codeOf(reservations.cancelPayment({ id: r.id })), "FailedPrecondition", "no refund once rented");
    });

    test("item down: a reservation is still taken; back, the item is the authority: the second renter is rejected and refunded", async () => {
      const remembered = () => metric("rental-reservation", "mesh_events_handled_total", { consumer: "rental-reservation-rememberItemWhenItemRegisteredOrDeleted", outcome: "handled" });
      const before = await remembered();
      const item = await camera();
      await eventually("the reservation context heard of the item", async () => (await remembered()) > before);
      await sys.launcher.stop("rental-item");
      const first = await reserveFor(item.id, "first");
      const second = await reserveFor(item.id, "second");
      await reservations.payReservation({ id: second.id });
      await reservations.payReservation({ id: first.id });
      await sys.launcher.start("rental-item");
      await sys.launcher.waitReady("rental-item");
      await held(item.id, first.id);
      const rejected = await reservationWhere(second.id, (x) => x.reservationStatus === ReservationStatus.REJECTED, "rejected");
      assert.match(rejected.cancelReason, /already reserved/);
      assert.equal(rejected.paymentStatus, PaymentStatus.REFUNDED);
      await refunded(second.id);
      assert.equal((await paymentsOf(first.id))[0].status, PayStatus.APPROVED);
      await eventually("the second renter is told", async () =>
        (await notifications.listNotifications({ referenceId: second.id })).notifications.some((n) => n.eventType.endsWith("ReservationRejected")));
      // Replayed once each: one hold, one ItemReserved step in the view.
      const info = await infoWhere(item.id, (i) => i.reservationNo === first.id && i.paymentStatus === PaymentStatus.PAID, "first holds it");
      assert.equal(info.steps.filter((s) => s.event === "ItemReserved").length, 1);
      assert.equal(info.steps.filter((s) => s.event === "ReservationRejected").length, 1);
    });

    test("payment down: paying is refused at once (UNAVAILABLE, retry hint), nothing is paid; back: paying works", async () => {
      const item = await camera();
      // The breaker to rental-item may still be open from the test before: a retry hint, then it passes.
      const r = await eventually("reserved", () => reserveFor(item.id).catch(() => undefined));
      await sys.launcher.stop("payment");
      for (let i = 0; i < 4; i++) {
        const e = await rpcError(reservations.payReservation({ id: r.id }));
        assert.equal(e.code, Code.Unavailable);
        assert.match(e.rawMessage, /pay later/);
      }
      assert.equal((await reservations.getReservation({ id: r.id })).reservation!.paymentStatus, PaymentStatus.NOT_PAID);
      await sys.launcher.start("payment");
      await sys.launcher.waitReady("payment");
      const paid = await eventually("paying works again", () => reservations.payReservation({ id: r.id }).catch(() => undefined));
      assert.equal(paid.reservation!.paymentStatus, PaymentStatus.PAID);
      // Only the successful attempt is charged: the failed ones were voided.
      const all = (await payments.listPayments({ system: "rental" })).payments.filter((p) => p.referenceId.startsWith(r.id));
      assert.equal(all.filter((p) => p.status === PayStatus.APPROVED).length, 1, JSON.stringify(all.map((p) => [p.referenceId, p.status])));
    });

    test("payment down: cancelling a payment still succeeds (the item consents); back, payment refunds it; the item waits for a new payment", async () => {
      const item = await camera(300n);
      const r = await eventually("reserved", () => reserveFor(item.id).catch(() => undefined));
      await reservations.payReservation({ id: r.id });
      await sys.launcher.stop("payment");
      const cancelled = (await reservations.cancelPayment({ id: r.id, reason: "changed card" })).reservation!;
      assert.equal(cancelled.paymentStatus, PaymentStatus.NOT_PAID);
      const refused = await rpcError(items.rentOutItem({ id: item.id, reservationNo: r.id }));
      assert.equal(refused.code, Code.FailedPrecondition);
      assert.match(refused.rawMessage, /not paid/, "not rented out on the cancelled payment");
      await sys.launcher.start("payment");
      await sys.launcher.waitReady("payment");
      await refunded(r.id);
      await eventually("the renter is told", async () =>
        (await notifications.listNotifications({ referenceId: r.id })).notifications.some((n) => n.eventType.endsWith("ReservationPaymentCancelled")));
      // A new payment is a new attempt; the item counts it, and renting out follows.
      const again = await eventually("paying works again", () => reservations.payReservation({ id: r.id }).catch(() => undefined));
      assert.equal(again.reservation!.paymentStatus, PaymentStatus.PAID);
      await eventually("rented out on the new payment", () => items.rentOutItem({ id: item.id, reservationNo: r.id }).catch(() => undefined));
      // Attempts refused while the breaker to payment was still open are voided under their own references.
      const all = (await payments.listPayments({ system: "rental" })).payments.filter((p) => p.referenceId.startsWith(r.id));
      assert.deepEqual((await paymentsOf(r.id)).map((p) => p.status), [PayStatus.CANCELLED], "the cancelled payment refunded");
      assert.deepEqual(all.filter((p) => p.status === PayStatus.APPROVED).map((p) => p.referenceId.startsWith(`${r.id}.`)), [true], "one charge: the new attempt's");
    });
  });
}
