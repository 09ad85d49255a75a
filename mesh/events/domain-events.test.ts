import assert from "node:assert/strict";
import { test } from "node:test";
import { fromBinary } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { ChargeApprovedSchema, OrderPlacedSchema } from "../../gen/meshtest/v1/events_pb.js";
import { runInContext } from "../context/call-context.js";
import { createTestDatabase } from "../db/database-fixtures.js";
import { migrate } from "../db/migrate.js";
import type { Money } from "../kernel/money.js";
import { emitEvents, eventsOf } from "./domain-events.js";
import { testEvents } from "./event-fixtures.js";
import { defineEvent } from "./event-type.js";
import { runtimeMigrations, runtimeMigrationsTable } from "./runtime-migrations.js";
import { createTransact } from "./transact.js";

// What a domain says happened: plain objects, Dates and Money, no protobuf.
type OrderEvent =
  | { type: "OrderPlaced"; orderId: string; itemId: string; qty: number; amount: Money; placedAt: Date }
  | { type: "OrderCancelled"; orderId: string; qty: number; reason: string };

const orderEvents = eventsOf<OrderEvent>()({ OrderPlaced: testEvents.orderPlaced, OrderCancelled: testEvents.orderCancelled });

test("eventsOf refuses a set whose name binds a different event", () => {
  assert.throws(() => eventsOf<OrderEvent>()({ OrderPlaced: testEvents.orderCancelled, OrderCancelled: testEvents.orderCancelled } as never),
    /^Error: event set: OrderPlaced is bound to sample\.order\.OrderCancelled$/);
  // Checked by tsc, never run: a domain event must carry exactly its message's fields.
  const typeChecks = () => {
    type Short = { type: "OrderPlaced"; orderId: string };
    // @ts-expect-error the domain event lacks itemId, qty, amount and placedAt
    eventsOf<Short>()({ OrderPlaced: testEvents.orderPlaced });
    type Extra = { type: "OrderCancelled"; orderId: string; qty: number; reason: string; note: string };
    // @ts-expect-error the message has no note
    eventsOf<Extra>()({ OrderCancelled: testEvents.orderCancelled });
  };
  void typeChecks;
});

test("emitEvents writes each event to the outbox through its type: business key from the type, correlation id from the command", async () => {
  const t = await createTestDatabase("sqlite");
  try {
    await migrate(t.db, runtimeMigrations, { tableName: runtimeMigrationsTable });
    const transact = createTransact({ db: t.db });
    const placedAt = new Date("2026-02-03T04:05:06.789Z");
    const events: OrderEvent[] = [
      { type: "OrderPlaced", orderId: "o-1", itemId: "rose", qty: 2, amount: { amount: 3000n, currency: "KRW" }, placedAt },
      { type: "OrderCancelled", orderId: "o-1", qty: 2, reason: "changed mind" },
    ];
    const trace = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", sampled: true };
    await runInContext({ correlationId: "cmd-7", trace }, () => transact(async (tx) => emitEvents(tx, orderEvents, events)));
    const rows = await t.db("outbox").orderBy("id");
    assert.deepEqual(rows.map((r) => [r.subject, r.type, r.business_key, r.correlation_id]), [
      ["sample.order.OrderPlaced", "meshtest.v1.OrderPlaced", "o-1", "cmd-7"],
      ["sample.order.OrderCancelled", "meshtest.v1.OrderCancelled", "o-1", "cmd-7"],
    ]);
    const placed = fromBinary(OrderPlacedSchema, rows[0].payload);
    assert.equal(timestampDate(placed.placedAt!).toISOString(), placedAt.toISOString());
    assert.equal(placed.amount?.amount, 3000n);

    // A shared service's events go to the stream of the system they are for: a route picks the set per event.
    type Charged = { type: "ChargeApproved"; chargeId: string; orderId: string; amount: Money };
    const setFor = (system: string) => eventsOf<Charged>()({ ChargeApproved: defineEvent(`billing.${system}`, ChargeApprovedSchema, (e) => e.orderId) });
    const sets: Record<string, ReturnType<typeof setFor>> = { s: setFor("sample"), x: setFor("other") };
    const charges: Charged[] = [
      { type: "ChargeApproved", chargeId: "c-1", orderId: "s-1", amount: { amount: 1n, currency: "KRW" } },
      { type: "ChargeApproved", chargeId: "c-2", orderId: "x-9", amount: { amount: 2n, currency: "KRW" } },
    ];
    await transact(async (tx) => emitEvents(tx, (e) => sets[e.orderId.split("-")[0]], charges));
    const routed = await t.db("outbox").where("type", "meshtest.v1.ChargeApproved").orderBy("id");
    assert.deepEqual(routed.map((r) => [r.subject, r.business_key]), [["billing.sample.ChargeApproved", "s-1"], ["billing.other.ChargeApproved", "x-9"]]);
    assert.equal(fromBinary(ChargeApprovedSchema, routed[1].payload).chargeId, "c-2");

    await assert.rejects(transact(async (tx) => emitEvents(tx, orderEvents, [{ type: "OrderShipped" } as unknown as OrderEvent])), /no event type bound for OrderShipped/);
    assert.equal((await t.db("outbox").count({ n: "*" }).first())?.n, 4, "the failed transaction wrote nothing");
  } finally {
    await t.drop();
  }
});
