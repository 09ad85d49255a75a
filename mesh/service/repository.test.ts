// The command path every RPC and policy takes through a repository, on each dialect: load
// locked, decide, write the state and its events in one transaction, or answer the refusal.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fromBinary } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import type { Knex } from "knex";
import { ErrorInfoSchema, PreconditionFailureSchema, ResourceInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { OrderCancelledSchema, OrderPlacedSchema } from "../../gen/meshtest/v1/events_pb.js";
import { runInContext } from "../context/call-context.js";
import { int, money, text, timestamp } from "../db/columns.js";
import { testDialects, withMigratedDatabase } from "../db/database-fixtures.js";
import { migrate } from "../db/migrate.js";
import { table } from "../db/table.js";
import { eventsOf } from "../events/domain-events.js";
import { testEvents } from "../events/event-fixtures.js";
import { runtimeMigrations, runtimeMigrationsTable } from "../events/runtime-migrations.js";
import { createTransact } from "../events/transact.js";
import { decide, isRefusal, refuse, type Outcome } from "../kernel/decision.js";
import type { Money } from "../kernel/money.js";
import { createRepository, type Repository } from "./repository.js";
import { rpcError } from "../testing/rpc-outcomes.js";

// A small domain, pure as a service's: an order placed, then cancelled once.
interface Order {
  id: string;
  itemId: string;
  qty: number;
  status: "Placed" | "Cancelled";
  amount: Money;
  placedAt: Date;
}

type OrderEvent =
  | { type: "OrderPlaced"; orderId: string; itemId: string; qty: number; amount: Money; placedAt: Date }
  | { type: "OrderCancelled"; orderId: string; qty: number; reason: string };

const placedAt = new Date("2026-02-03T04:05:06.789Z");

function place(id: string, itemId: string, qty: number): Outcome<Order, OrderEvent> {
  if (qty < 1) return refuse("BAD_QTY", `cannot order ${qty}`);
  const amount = { amount: 1500n * BigInt(qty), currency: "KRW" };
  return decide({ id, itemId, qty, status: "Placed" as const, amount, placedAt }, { type: "OrderPlaced" as const, orderId: id, itemId, qty, amount, placedAt });
}

function cancel(order: Order, reason: string): Outcome<Order, OrderEvent> {
  if (order.status === "Cancelled") return refuse("ALREADY_CANCELLED", `order ${order.id} is already cancelled`);
  return decide({ ...order, status: "Cancelled" as const }, { type: "OrderCancelled" as const, orderId: order.id, qty: order.qty, reason });
}

const orders = table<Order, OrderEvent>("orders", {
  id: text(36).key(),
  itemId: text(36),
  qty: int(),
  status: text<Order["status"]>(20),
  amount: money(),
  placedAt: timestamp(),
}, {
  resource: "order",
  events: eventsOf<OrderEvent>()({ OrderPlaced: testEvents.orderPlaced, OrderCancelled: testEvents.orderCancelled }),
});

const trace = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", sampled: true };
const inCommand = <T>(correlationId: string, fn: () => Promise<T>) => runInContext({ correlationId, trace }, fn);

// A database with the orders table and the runtime's outbox; the repository counts the relay's wake-ups.
async function withOrders(dialect: (typeof testDialects)[number], fn: (env: { db: Knex; repo: Repository<Order, OrderEvent>; wakes: () => number }) => Promise<void>) {
  await withMigratedDatabase(dialect, orders.migrations, async ({ db }) => {
    await migrate(db, runtimeMigrations, { tableName: runtimeMigrationsTable });
    let wakes = 0;
    const repo = createRepository(orders, { db, transact: createTransact({ db, onCommit: () => wakes++ }) });
    await fn({ db, repo, wakes: () => wakes });
  });
}

const outbox = (db: Knex) => db("outbox").orderBy("id").select("subject", "correlation_id", "business_key", "payload");

for (const dialect of testDialects) {
  describe(`repository (${dialect})`, () => {
    test("create writes the aggregate and its events in one transaction: the command's correlation id, the order as business key", async () => {
      await withOrders(dialect, async ({ db, repo, wakes }) => {
        const order = await inCommand("cmd-1", () => repo.create(() => place("o-1", "rose", 2)));
        assert.deepEqual(await repo.get("o-1"), order);
        assert.equal(wakes(), 1, "the relay is woken once the events are committed");
        const [row, ...more] = await outbox(db);
        assert.equal(more.length, 0);
        assert.deepEqual([row.subject, row.correlation_id, row.business_key], ["sample.order.OrderPlaced", "cmd-1", "o-1"]);
        const message = fromBinary(OrderPlacedSchema, row.payload);
        assert.deepEqual([message.orderId, message.itemId, message.qty, message.amount?.amount], ["o-1", "rose", 2, 3000n]);
        assert.equal(timestampDate(message.placedAt!).toISOString(), placedAt.toISOString());
      });
    });

    test("a missing aggregate is NOT_FOUND naming it; the decision never runs", async () => {
      await withOrders(dialect, async ({ repo }) => {
        const missing = await rpcError(repo.get("nope"));
        assert.equal(missing.code, Code.NotFound);
        assert.equal(missing.rawMessage, 'order "nope" not found');
        assert.deepEqual(missing.findDetails(ResourceInfoSchema).map((r) => [r.resourceType, r.resourceName]), [["order", "nope"]]);
        let decided = false;
        const changing = await rpcError(repo.change("nope", (o) => ((decided = true), cancel(o, "x"))));
        assert.equal(changing.code, Code.NotFound);
        assert.equal(decided, false);
      });
    });

    test("many commands creating neighbouring new aggregates at once all succeed, each once (no lock on a missing row blocks another key)", async () => {
      await withOrders(dialect, async ({ db, repo }) => {
        const keys = Array.from({ length: 24 }, (_, i) => `o-${String(i).padStart(3, "0")}`);
        for (let round = 0; round < 3; round++) {
          const ids = keys.map((k) => `${k}-${round}`);
          const outcomes = await Promise.allSettled(ids.map((id) => repo.decide(id, (current) => current ? decide(current) : place(id, "rose", 1))));
          assert.deepEqual(outcomes.filter((o) => o.status === "rejected").map((o) => String((o as PromiseRejectedResult).reason)), [], `round ${round}`);
        }
        assert.equal(Number((await db("orders").count({ n: "*" }))[0].n), 72);
      });
    });

    test("change decides on the locked current state; a refusal is FAILED_PRECONDITION with its code as ErrorInfo.reason, and writes nothing", async () => {
      await withOrders(dialect, async ({ db, repo, wakes }) => {
        await repo.create(() => place("o-1", "rose", 2));
        const cancelled = await inCommand("cmd-2", () => repo.change("o-1", (o) => cancel(o, "changed mind")));
        assert.equal(cancelled.status, "Cancelled");
        assert.deepEqual(await repo.get("o-1"), cancelled);

        const again = await rpcError(repo.change("o-1", (o) => cancel(o, "twice")));
        assert.equal(again.code, Code.FailedPrecondition);
        assert.equal(again.rawMessage, "order o-1 is already cancelled");
        assert.equal(again.findDetails(ErrorInfoSchema)[0]?.reason, "ALREADY_CANCELLED");
        assert.equal(again.findDetails(PreconditionFailureSchema)[0]?.violations[0]?.type, "ALREADY_CANCELLED");
        const refusedCreate = await rpcError(repo.create(() => place("o-2", "rose", 0)));
        assert.equal(refusedCreate.findDetails(ErrorInfoSchema)[0]?.reason, "BAD_QTY");

        const rows = await outbox(db);
        assert.deepEqual(rows.map((r) => [r.subject, r.business_key]), [["sample.order.OrderPlaced", "o-1"], ["sample.order.OrderCancelled", "o-1"]]);
        assert.equal(fromBinary(OrderCancelledSchema, rows[1].payload).reason, "changed mind");
        assert.equal(rows[1].correlation_id, "cmd-2");
        assert.deepEqual(await db("orders").pluck("id"), ["o-1"]);
        assert.equal(wakes(), 2, "refusals commit nothing");
      });
    });

    test("a decision that throws, or events that cannot be written, roll the state back too", async () => {
      await withOrders(dialect, async ({ db, repo }) => {
        await repo.create(() => place("o-1", "rose", 2));
        await assert.rejects(repo.change("o-1", () => {
          throw new Error("rule crashed");
        }), /rule crashed/);
        // The state is saved before its events; an event the set does not bind fails after that write.
        const unbound = { type: "OrderShipped", orderId: "o-1" } as unknown as OrderEvent;
        await assert.rejects(repo.change("o-1", (o) => decide({ ...o, qty: 99 }, unbound)), /no event type bound for OrderShipped/);
        assert.equal((await repo.get("o-1")).qty, 2);
        assert.equal((await outbox(db)).length, 1);
      });
    });

    test("decide creates when there is none and decides on what is there otherwise; an unchanged state writes nothing", async () => {
      await withOrders(dialect, async ({ db, repo, wakes }) => {
        const placeOnce = (o: Order | undefined) => (o ? decide(o) : place("o-3", "tulip", 1));
        const first = await repo.decide("o-3", placeOnce);
        const second = await repo.decide("o-3", placeOnce);
        assert.deepEqual(second, first);
        assert.equal((await outbox(db)).length, 1);
        assert.equal(wakes(), 1);
        assert.deepEqual((await repo.list({ where: { itemId: "tulip" } })).map((o) => o.id), ["o-3"]);
      });
    });

    test("apply works in the caller's transaction: a refusal is returned, undefined means nothing to decide, a rollback takes all", async () => {
      await withOrders(dialect, async ({ db, repo }) => {
        await repo.create(() => place("o-1", "rose", 2));
        const transact = createTransact({ db });
        await transact(async (tx) => {
          const done = await repo.apply(tx, "o-1", (o) => o && cancel(o, "by policy"));
          assert.ok(done && !isRefusal(done) && done.state.status === "Cancelled");
          const refused = await repo.apply(tx, "o-1", (o) => o && cancel(o, "again"));
          assert.ok(refused && isRefusal(refused) && refused.code === "ALREADY_CANCELLED");
          assert.equal(await repo.apply(tx, "nope", (o) => o && cancel(o, "x")), undefined);
          assert.equal((await repo.find("o-1", { tx }))?.status, "Cancelled", "read in the same transaction");
        });
        assert.equal((await repo.get("o-1")).status, "Cancelled");
        assert.deepEqual((await outbox(db)).map((r) => r.subject), ["sample.order.OrderPlaced", "sample.order.OrderCancelled"]);

        await repo.create(() => place("o-2", "rose", 1));
        await assert.rejects(transact(async (tx) => {
          await repo.apply(tx, "o-2", (o) => o && cancel(o, "then fails"));
          throw new Error("the policy failed later");
        }), /failed later/);
        assert.equal((await repo.get("o-2")).status, "Placed");
        assert.equal((await outbox(db)).length, 3);
      });
    });

    test("create of a key another aggregate holds is ALREADY_EXISTS (deciding again would decide the same), and writes nothing", async () => {
      await withOrders(dialect, async ({ db, repo }) => {
        const first = await repo.create(() => place("o-9", "rose", 1));
        const error = await rpcError(repo.create(() => place("o-9", "tulip", 5)));
        assert.deepEqual([Code[error.code], error.rawMessage], ["AlreadyExists", "order \"o-9\" already exists"]);
        assert.deepEqual(await repo.get("o-9"), first);
        assert.equal((await outbox(db)).length, 1);
      });
    });

    if (dialect === "mysql") {
      test("concurrent creates of one key: the losers of the race decide again on what the winner wrote", async () => {
        await withOrders(dialect, async ({ db, repo }) => {
          // Whether two transactions both read "none" before either writes is up to the scheduler:
          // repeat until a round has such a race (InnoDB answers it with a deadlock or a duplicate key).
          let raced = false;
          for (let round = 0; round < 20 && !raced; round++) {
            const id = `race-${round}`;
            const seen: Array<Order | undefined> = [];
            const callers = 4;
            const results = await Promise.all(Array.from({ length: callers }, (_, i) =>
              repo.decide(id, (o) => (seen.push(o), o ? decide(o) : place(id, "rose", i + 1)))));
            const winner = await repo.get(id);
            for (const r of results) assert.deepEqual(r, winner, "every caller ends with the winner's order");
            const sawNone = seen.filter((o) => o === undefined).length;
            assert.equal(seen.length, callers + sawNone - 1, "each loser decided once more");
            assert.equal((await outbox(db)).filter((r) => r.business_key === id).length, 1, "the losers' events rolled back");
            raced = sawNone > 1;
          }
          assert.ok(raced, "no round had two creates racing");
        });
      });
    }
  });
}
