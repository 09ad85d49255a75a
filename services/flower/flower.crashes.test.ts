// No charge without its order, as real processes: 30 customers place orders while payment and
// the order service are killed with SIGKILL again and again (a Pay committed just before payment
// died, an order service gone between paying and saving). Afterwards every approved payment has
// its order and every order its approved payment; nothing is charged twice.
import assert from "node:assert/strict";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import knex from "knex";
import { OrderService } from "../../gen/flower/v1/order_pb.js";
import { StoreService } from "../../gen/flower/v1/store_pb.js";
import { eventually, startTestSystem, type TestSystem } from "../../mesh/testing/index.js";
import { catalog } from "../catalog.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const ids = ["payment", "flower-store", "flower-order"];

let sys: TestSystem;
const client = <S extends Parameters<typeof createClient>[0]>(service: S, id: string) => createClient(service, createGrpcTransport({ baseUrl: sys.url(id) }));

describe("no charge without its order (processes, kill -9)", { timeout: 300_000 }, () => {
  before(async () => {
    sys = await startTestSystem({
      catalog, root, ids,
      // A pending payment whose order service died is refunded after 3 s (30 s by default).
      env: { PENDING_CALL_TIMEOUT_MS: "3000", CLIENT_TIMEOUT_MS: "1500", BREAKER_HALF_OPEN_MS: "500", CONSUMER_ACK_WAIT_MS: "3000" },
      log: "flower-crashes",
    });
  });
  after(async () => {
    await sys?.stop();
  });

  test("30 customers ordering while payment and order are killed -9 in turn: captured payments = orders not cancelled, none charged twice", async () => {
    const store = client(StoreService, "flower-store");
    await store.changeStock({ flowerId: "2", stock: 100_000 });
    const phones = Array.from({ length: 30 }, (_, i) => `010-8888-${1000 + i}`);
    const answers = { placed: 0, refused: new Map<string, number>(), sample: new Map<string, string>() };
    let loading = true;

    const customer = async (phone: string) => {
      while (loading) {
        try {
          // A fresh client each time: the order service's address stays, its process does not.
          await client(OrderService, "flower-order").placeOrder({ flowerId: "2", qty: 1, address: "Seoul", phoneNumber: phone });
          answers.placed++;
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
        // Payment, payment, then the order service, then both at once.
        const victims = round % 3 === 2 ? ["flower-order"] : round === 5 ? ["payment", "flower-order"] : ["payment"];
        await Promise.all(victims.map((id) => sys.launcher.stop(id, "SIGKILL")));
        await sleep(300);
        for (const id of victims) await sys.launcher.start(id);
        await Promise.all(victims.map((id) => sys.launcher.waitReady(id)));
      }
      loading = false;
    };
    await Promise.all([chaos(), ...phones.map(customer)]);
    console.log(`# ${answers.placed} orders answered as placed; refused: ${JSON.stringify(Object.fromEntries(answers.refused))}; e.g. ${JSON.stringify(Object.fromEntries(answers.sample))}`);
    assert.ok(answers.placed > 0, "orders went through between the crashes");

    // Read from the services' own databases: every row, beyond what a list RPC returns in one page.
    const open = (id: string) => knex.knex({ client: "better-sqlite3", connection: { filename: join(sys.dataDir, `${id}.sqlite`) }, useNullAsDefault: true });
    const [orderDb, paymentDb] = [open("flower-order"), open("payment")];
    try {
      let apart = "";
      const settled = await eventually("every payment follows its order", async () => {
        const all: Array<{ id: string; status: string }> = await orderDb("orders").select("id", "status");
        const paid: Array<{ reference_id: string; status: string; reason: string; method: string }> =
          await paymentDb("payments").where({ system: "flower" }).select("reference_id", "status", "reason", "method");
        const live = new Set(all.filter((o) => o.status !== "Cancelled").map((o) => o.id));
        const captured = new Set(paid.filter((p) => p.status === "approved").map((p) => p.reference_id));
        const unpaid = [...live].filter((id) => !captured.has(id));
        const orphans = [...captured].filter((id) => !live.has(id));
        apart = `orders without a captured payment: ${unpaid.join(", ") || "none"}; captured payments without an order: ${orphans.join(", ") || "none"}`;
        return unpaid.length === 0 && orphans.length === 0 ? { all, paid, captured } : undefined;
      }, 90_000).catch((error) => assert.fail(`${error.message}: ${apart}`));

      assert.ok(settled.all.length >= answers.placed, "every order answered as placed was kept");
      const byReference = new Map<string, number>();
      for (const p of settled.paid) byReference.set(p.reference_id, (byReference.get(p.reference_id) ?? 0) + 1);
      assert.ok([...byReference.values()].every((n) => n === 1), "one payment per order: nobody charged twice");
      // A refund was paid first (it has a method); a tombstone was cancelled before any Pay arrived.
      const notPlaced = settled.paid.filter((p) => p.status === "cancelled" && /^order not placed/.test(p.reason));
      const refunded = notPlaced.filter((p) => p.method !== "").length;
      console.log(`# ${settled.all.length} orders kept, ${settled.captured.size} payments captured; of orders never placed, ${refunded} payments refunded and ${notPlaced.length - refunded} never taken`);
    } finally {
      await Promise.all([orderDb.destroy(), paymentDb.destroy()]);
    }
  });
});
