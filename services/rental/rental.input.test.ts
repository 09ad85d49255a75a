// Bad input at every RPC of the rental system, every service a real process: the documented code
// naming the field, never INTERNAL or a 5xx (REST included: non-UTF-8, oversized, wrong types).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { Code, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { ItemHoldService } from "../../gen/rental/v1/item_hold_pb.js";
import { ItemService } from "../../gen/rental/v1/item_pb.js";
import { ReservationService } from "../../gen/rental/v1/reservation_pb.js";
import { ItemStatus, PaymentStatus, RentalStatus, ReservationStatus } from "../../gen/rental/v1/status_pb.js";
import { rpcError, startTestSystem, violatedFields, type TestSystem } from "../../mesh/testing/index.js";
import { catalog } from "../catalog.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
let sys: TestSystem;
const client = <S extends Parameters<typeof createClient>[0]>(service: S, id: string) => createClient(service, createGrpcTransport({ baseUrl: sys.url(id) }));

describe("rental bad input (processes)", { timeout: 120_000 }, () => {
  let items: ReturnType<typeof client<typeof ItemService>>;
  let reservations: ReturnType<typeof client<typeof ReservationService>>;
  let holds: ReturnType<typeof client<typeof ItemHoldService>>;
  before(async () => {
    sys = await startTestSystem({ catalog, root, ids: ["payment", "rental-item", "rental-reservation"] });
    items = client(ItemService, "rental-item");
    reservations = client(ReservationService, "rental-reservation");
    holds = client(ItemHoldService, "rental-item");
  });
  after(() => sys?.stop());

  const invalid = async (call: Promise<unknown>, fields: string[]) => {
    const e = await rpcError(call);
    assert.equal(Code[e.code], "InvalidArgument", e.rawMessage);
    assert.deepEqual(violatedFields(e), fields);
  };
  const long = "x".repeat(301);

  test("every RPC names the bad field (INVALID_ARGUMENT)", async () => {
    await invalid(items.registerItem({ itemName: "", itemPrice: 0n, itemStatus: ItemStatus.NOT_RENTABLE, rentalStatus: RentalStatus.RENTING }),
      ["itemName", "itemPrice", "itemStatus", "rentalStatus"]);
    await invalid(items.registerItem({ itemName: long, itemPrice: -5n }), ["itemName", "itemPrice"]);
    await invalid(items.getItem({ id: "" }), ["id"]);
    await invalid(items.listItems({ pageSize: -1 }), ["pageSize"]);
    await invalid(items.listItems({ pageToken: "not a token!" }), ["pageToken"]);
    await invalid(items.listItems({ itemStatus: 99 as ItemStatus }), ["itemStatus"]);
    await invalid(items.updateItem({ id: "x", itemNo: "y", rentalStatus: RentalStatus.RENTING }), ["itemNo"]);
    await invalid(items.updateItem({ id: "x" }), ["rentalStatus"]);
    await invalid(items.rentOutItem({ id: "", reservationNo: long }), ["id", "reservationNo"]);
    await invalid(items.returnItem({ id: long }), ["id"]);
    await invalid(items.deleteItem({ id: "" }), ["id"]);
    await invalid(holds.releasePayment({ itemNo: "", reservationNo: long, paymentReference: "other.2" }), ["itemNo", "paymentReference", "reservationNo"]);
    await invalid(items.listItemInfos({ customerId: long }), ["customerId"]);
    await invalid(items.listItemInfos({ pageSize: 5000 }), ["pageSize"]);
    await invalid(reservations.reserve({ customerName: "", customerId: "bad id!", itemNo: "", itemPrice: -1n, paymentStatus: PaymentStatus.PAID, rentalStatus: RentalStatus.RETURNED }),
      ["customerId", "customerName", "itemNo", "itemPrice", "paymentStatus", "rentalStatus"]);
    await invalid(reservations.getReservation({ id: "" }), ["id"]);
    await invalid(reservations.listReservations({ pageSize: 1001 }), ["pageSize"]);
    await invalid(reservations.updateReservation({ id: "r" }), ["paymentStatus"]);
    await invalid(reservations.updateReservation({ id: "r", paymentStatus: PaymentStatus.PAID, reservationStatus: ReservationStatus.CANCELLED }), ["reservationStatus"]);
    await invalid(reservations.payReservation({ id: "r", paymentMethod: long }), ["paymentMethod"]);
    await invalid(reservations.cancelPayment({ id: "r", reason: long }), ["reason"]);
    await invalid(reservations.cancelReservation({ id: "" }), ["id"]);
  });

  test("unknown ids are NOT_FOUND; rules are FAILED_PRECONDITION with a readable reason", async () => {
    for (const call of [() => items.getItem({ id: "nope" }), () => items.rentOutItem({ id: "nope" }), () => items.deleteItem({ id: "nope" }), () => holds.releasePayment({ itemNo: "nope", reservationNo: "r" }),
      () => reservations.getReservation({ id: "nope" }), () => reservations.payReservation({ id: "nope" }), () => reservations.cancelReservation({ id: "nope" }),
      () => reservations.reserve({ customerName: "a", customerId: "a", itemNo: "nope" })]) {
      assert.equal(Code[(await rpcError(call())).code], "NotFound");
    }
    const { item } = await items.registerItem({ itemName: "Drill", itemPrice: 10n });
    const returned = await rpcError(items.returnItem({ id: item!.id }));
    assert.equal(returned.code, Code.FailedPrecondition);
    assert.match(returned.rawMessage, /not rented out/);
  });

  test("REST: wrong types, non-UTF-8 and oversized bodies are 4xx, never 5xx", async () => {
    const base = sys.url("rental-reservation", "http");
    const send = async (body: string | Blob) =>
      (await fetch(`${base}/rental/reservations`, { method: "POST", body, headers: { "content-type": "application/json" } })).status;
    assert.equal(await send('{"customerName":"a","customerId":"1","itemNo":"x","itemPrice":"cheap"}'), 400);
    assert.equal(await send('{"customerName":"a","customerId":"1","itemNo":"x","paymentStatus":"Maybe"}'), 400);
    assert.equal(await send(new Blob([new Uint8Array([0x7b, 0x22, 0x63, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])])), 400);
    assert.equal(await send("{"), 400);
    const big = await send(JSON.stringify({ customerName: "a".repeat(5_000_000), customerId: "1", itemNo: "x" }));
    assert.ok(big >= 400 && big < 500, `oversized: ${big}`);
  });
});
