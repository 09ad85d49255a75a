// No charge without its order, as real processes, in every system whose command creates what it
// pays for (flower's order, resort's reservation, coffee's order): customers keep sending the
// command while payment and the command's service are killed with SIGKILL again and again (a Pay
// committed just before payment died, a service gone between paying and saving). Afterwards every
// approved payment has its saved case and every case not cancelled its approved payment; nobody is
// charged twice. (rental and cleaning pay for what exists already, per attempt: their system tests
// cover a lost attempt.)
import assert from "node:assert/strict";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import knex from "knex";
import { OrderService as CoffeeOrderService } from "../gen/coffee/v1/order_pb.js";
import { OrderService as FlowerOrderService } from "../gen/flower/v1/order_pb.js";
import { StoreService } from "../gen/flower/v1/store_pb.js";
import { ReservationService } from "../gen/resort/v1/reservation_pb.js";
import { daysAhead, eventually, startTestSystem, type TestSystem } from "../mesh/testing/index.js";
import { catalog } from "./catalog.js";

// A day that is always ahead: a stay in the past is refused.
const stay = daysAhead(24);

const root = fileURLToPath(new URL("..", import.meta.url));

interface Case {
  system: string;
  /** The service whose command pays, and whose database holds what it saves. */
  commander: string;
  ids: string[];
  table: string;
  cancelled: string;
  prepare?(sys: TestSystem): Promise<void>;
  /** One command for customer `n`, from a fresh client (the address stays, the process does not). */
  command(sys: TestSystem, n: number): Promise<unknown>;
}

const client = <S extends Parameters<typeof createClient>[0]>(sys: TestSystem, service: S, id: string) => createClient(service, createGrpcTransport({ baseUrl: sys.url(id) }));

const cases: Case[] = [
  {
    system: "flower", commander: "flower-order", ids: ["payment", "flower-store", "flower-order"], table: "orders", cancelled: "Cancelled",
    prepare: async (sys) => void (await client(sys, StoreService, "flower-store").changeStock({ flowerId: "2", stock: 100_000 })),
    command: (sys, n) => client(sys, FlowerOrderService, "flower-order").placeOrder({ flowerId: "2", qty: 1, address: "Seoul", phoneNumber: `010-8888-${1000 + n}` }),
  },
  {
    system: "resort", commander: "resort-reservation", ids: ["payment", "resort-reservation"], table: "reservations", cancelled: "Cancelled",
    command: (sys, n) => client(sys, ReservationService, "resort-reservation").reserve({
      resort: "Seorak Hanwha", region: "Gangwon", date: stay, persons: 2, rooms: 1, cost: 300_000n, customerId: `guest-${n}`,
    }),
  },
  {
    system: "coffee", commander: "coffee-order", ids: ["payment", "coffee-order"], table: "orders", cancelled: "Canceled",
    command: (sys, n) => client(sys, CoffeeOrderService, "coffee-order").placeOrder({ productName: "Americano", qty: 1, customerId: `c-${n}` }),
  },
];

for (const c of cases) {
  describe(`${c.system}: no charge without its order (processes, kill -9)`, { timeout: 300_000 }, () => {
    let sys: TestSystem;
    before(async () => {
      sys = await startTestSystem({
        catalog, root, ids: c.ids,
        // A pending payment whose service died is refunded after 3 s (30 s by default).
        env: { PENDING_CALL_TIMEOUT_MS: "3000", CLIENT_TIMEOUT_MS: "1500", BREAKER_HALF_OPEN_MS: "500", CONSUMER_ACK_WAIT_MS: "3000" },
        log: `${c.system}-crashes`,
      });
      await c.prepare?.(sys);
    });
    after(() => sys?.stop());

    test("customers paying while payment and the command's service are killed -9 in turn: captured payments = what was saved and not cancelled, none twice", async () => {
      const answers = { saved: 0, refused: new Map<string, number>(), sample: new Map<string, string>() };
      let loading = true;
      const customer = async (n: number) => {
        while (loading) {
          try {
            await c.command(sys, n);
            answers.saved++;
          } catch (e) {
            const code = e instanceof ConnectError ? Code[e.code] : String(e);
            answers.refused.set(code, (answers.refused.get(code) ?? 0) + 1);
            if (!answers.sample.has(code)) answers.sample.set(code, e instanceof ConnectError ? e.rawMessage : String(e));
            await sleep(50);
          }
        }
      };
      const chaos = async () => {
        for (let round = 0; round < 6; round++) {
          await sleep(1500);
          // Payment, payment, then the commanding service, then both at once.
          const victims = round % 3 === 2 ? [c.commander] : round === 5 ? ["payment", c.commander] : ["payment"];
          await Promise.all(victims.map((id) => sys.launcher.stop(id, "SIGKILL")));
          await sleep(300);
          for (const id of victims) await sys.launcher.start(id);
          await Promise.all(victims.map((id) => sys.launcher.waitReady(id)));
        }
        loading = false;
      };
      await Promise.all([chaos(), ...Array.from({ length: 24 }, (_, n) => customer(n))]);
      console.log(`# ${c.system}: ${answers.saved} answered as saved; refused: ${JSON.stringify(Object.fromEntries(answers.refused))}; e.g. ${JSON.stringify(Object.fromEntries(answers.sample))}`);
      assert.ok(answers.saved > 0, "commands went through between the crashes");

      // Read from the services' own databases: every row, beyond what a list RPC returns in one page.
      const open = (id: string) => knex.knex({ client: "better-sqlite3", connection: { filename: join(sys.dataDir, `${id}.sqlite`) }, useNullAsDefault: true });
      const [caseDb, paymentDb] = [open(c.commander), open("payment")];
      try {
        let apart = "";
        const settled = await eventually("every payment follows what it paid for", async () => {
          const all: Array<{ id: string; status: string }> = await caseDb(c.table).select("id", "status");
          const paid: Array<{ reference_id: string; status: string; method: string }> =
            await paymentDb("payments").where({ system: c.system }).select("reference_id", "status", "method");
          const live = new Set(all.filter((o) => o.status !== c.cancelled).map((o) => o.id));
          const captured = new Set(paid.filter((p) => p.status === "approved").map((p) => p.reference_id));
          const unpaid = [...live].filter((id) => !captured.has(id));
          const orphans = [...captured].filter((id) => !live.has(id));
          apart = `saved without a captured payment: ${unpaid.join(", ") || "none"}; captured payments without what they paid for: ${orphans.join(", ") || "none"}`;
          return unpaid.length === 0 && orphans.length === 0 ? { all, paid, captured } : undefined;
        }, 90_000).catch((error) => assert.fail(`${error.message}: ${apart}`));

        assert.ok(settled.all.length >= answers.saved, "everything answered as saved was kept");
        const byReference = new Map<string, number>();
        for (const p of settled.paid) byReference.set(p.reference_id, (byReference.get(p.reference_id) ?? 0) + 1);
        assert.ok([...byReference.values()].every((n) => n === 1), "one payment per reference: nobody charged twice");
        // A refund was paid first (it has a method); a tombstone was cancelled before any Pay arrived.
        const undone = settled.paid.filter((p) => p.status === "cancelled");
        const refunded = undone.filter((p) => p.method !== "").length;
        console.log(`# ${c.system}: ${settled.all.length} kept, ${settled.captured.size} payments captured; of those never saved, ${refunded} refunded and ${undone.length - refunded} never taken`);
      } finally {
        await Promise.all([caseDb.destroy(), paymentDb.destroy()]);
      }
    });
  });
}
