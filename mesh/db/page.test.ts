// Paged lists (AIP-158) on each dialect: a walk visits every matching row once, newest first,
// even with ties on the ordering field and rows written during the walk; bad input names its field.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Code, ConnectError } from "@connectrpc/connect";
import { int, text, timestamp } from "./columns.js";
import { testDialects, withMigratedDatabase } from "./database-fixtures.js";
import { table } from "./table.js";

interface Booking { id: string; customer: string; nights: number; bookedAt: Date }
const bookings = table<Booking>("bookings", { id: text(36).key(), customer: text(40).index(), nights: int(), bookedAt: timestamp().index() });

const at = (minute: number) => new Date(Date.UTC(2026, 11, 24, 10, minute));
// 23 bookings over 8 distinct minutes: ties on bookedAt that only the key orders.
const seeded: Booking[] = Array.from({ length: 23 }, (_, i) => ({ id: `b${String(i).padStart(2, "0")}`, customer: i % 3 === 0 ? "kim" : "lee", nights: i, bookedAt: at(i % 8) }));
const newestFirst = (a: Booking, b: Booking) => b.bookedAt.getTime() - a.bookedAt.getTime() || (a.id < b.id ? 1 : -1);

const fieldOf = (error: unknown) => {
  assert.ok(error instanceof ConnectError);
  assert.equal(error.code, Code.InvalidArgument);
  return error.message;
};

for (const dialect of testDialects) {
  describe(`paged lists on ${dialect}`, () => {
    const withBookings = (fn: Parameters<typeof withMigratedDatabase>[2]) =>
      withMigratedDatabase(dialect, bookings.migrations, async (t) => {
        for (const b of seeded) await bookings.insert(t.db, b);
        await fn(t);
      });

    test("walking every page visits each row once, newest first, ties broken by the key", () =>
      withBookings(async ({ db }) => {
        const seen: string[] = [];
        let token = "";
        let pages = 0;
        do {
          const page = await bookings.page(db, { by: "bookedAt", pageSize: 5, pageToken: token });
          assert.ok(page.items.length <= 5);
          seen.push(...page.items.map((b) => b.id));
          token = page.nextPageToken;
          pages++;
        } while (token);
        assert.deepEqual(seen, [...seeded].sort(newestFirst).map((b) => b.id));
        assert.equal(pages, 5);
      }));

    test("a filter holds across pages, and a page that ends the list gives no token", () =>
      withBookings(async ({ db }) => {
        const first = await bookings.page(db, { by: "bookedAt", where: { customer: "kim" }, pageSize: 6, pageToken: "" });
        const second = await bookings.page(db, { by: "bookedAt", where: { customer: "kim" }, pageSize: 6, pageToken: first.nextPageToken });
        const all = [...first.items, ...second.items];
        assert.deepEqual(all.map((b) => b.id), seeded.filter((b) => b.customer === "kim").sort(newestFirst).map((b) => b.id));
        assert.equal(second.nextPageToken, "");
      }));

    test("rows written during a walk neither repeat nor push others out", () =>
      withBookings(async ({ db }) => {
        const first = await bookings.page(db, { by: "bookedAt", pageSize: 10, pageToken: "" });
        await bookings.insert(db, { id: "zz-new", customer: "lee", nights: 1, bookedAt: at(30) });
        const rest = await bookings.page(db, { by: "bookedAt", pageSize: 1000, pageToken: first.nextPageToken });
        assert.equal(first.items.length + rest.items.length, seeded.length);
        assert.ok(!rest.items.some((b) => b.id === "zz-new"));
        assert.equal(new Set([...first.items, ...rest.items].map((b) => b.id)).size, seeded.length);
      }));

    test("a bad pageSize or pageToken is INVALID_ARGUMENT naming it; a token of another filter or order is refused", () =>
      withBookings(async ({ db }) => {
        await assert.rejects(bookings.page(db, { by: "bookedAt", pageSize: 1001, pageToken: "" }), (e) => /pageSize/.test(fieldOf(e)));
        await assert.rejects(bookings.page(db, { by: "bookedAt", pageSize: -1, pageToken: "" }), (e) => /pageSize/.test(fieldOf(e)));
        for (const garbage of ["not a token!", "e30", Buffer.from('{"f":"x","p":[1]}').toString("base64url"), "x".repeat(3000)]) {
          await assert.rejects(bookings.page(db, { by: "bookedAt", pageSize: 5, pageToken: garbage }), (e) => /pageToken/.test(fieldOf(e)));
        }
        const kim = await bookings.page(db, { by: "bookedAt", where: { customer: "kim" }, pageSize: 2, pageToken: "" });
        await assert.rejects(bookings.page(db, { by: "bookedAt", where: { customer: "lee" }, pageSize: 2, pageToken: kim.nextPageToken }),
          (e) => /pageToken.*other filters/.test(fieldOf(e)));
      }));

    test("ascending, for lists that read best lowest first", () =>
      withBookings(async ({ db }) => {
        const first = await bookings.page(db, { by: "id", direction: "asc", pageSize: 20, pageToken: "" });
        const rest = await bookings.page(db, { by: "id", direction: "asc", pageSize: 20, pageToken: first.nextPageToken });
        assert.deepEqual([...first.items, ...rest.items].map((b) => b.id), seeded.map((b) => b.id));
        await assert.rejects(bookings.page(db, { by: "id", pageSize: 20, pageToken: first.nextPageToken }), (e) => /pageToken/.test(fieldOf(e)));
      }));

    test("0 asks for the default page size", () =>
      withBookings(async ({ db }) => {
        const page = await bookings.page(db, { by: "bookedAt", pageSize: 0, pageToken: "" });
        assert.equal(page.items.length, seeded.length); // 23 < 100
        assert.equal(page.nextPageToken, "");
      }));
  });
}
