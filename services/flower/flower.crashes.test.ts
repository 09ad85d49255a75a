// No charge without its order, as real processes: 30 customers place orders while payment and
// the order service are killed with SIGKILL again and again (a Pay committed just before payment
// died, an order service gone between paying and saving). Afterwards every approved payment has
// its order and every order its approved payment; nothing is charged twice.
import assert from "node:assert/strict";
import { appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { OrderService, OrderStatus, type Order } from "../../gen/flower/v1/order_pb.js";
import { StoreService } from "../../gen/flower/v1/store_pb.js";
import { PaymentService, PaymentStatus } from "../../gen/payment/v1/payment_pb.js";
import { eventually, startTestSystem, type TestSystem } from "../../mesh/testing/index.js";
import { catalog } from "../catalog.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const logFile = join(tmpdir(), `flower-crashes-${process.pid}.log`);
const ids = ["payment", "flower-store", "flower-order"];

let sys: TestSystem;
const client = <S extends Parameters<typeof createClient>[0]>(service: S, id: string) => createClient(service, createGrpcTransport({ baseUrl: sys.url(id) }));

describe("no charge without its order (processes, kill -9)", { timeout: 300_000 }, () => {
  before(async () => {
    sys = await startTestSystem({
      catalog, root, ids,
      // A pending payment whose order service died is refunded after 3 s (30 s by default).
      env: { PENDING_CALL_TIMEOUT_MS: "3000", CLIENT_TIMEOUT_MS: "1500", BREAKER_HALF_OPEN_MS: "500", CONSUMER_ACK_WAIT_MS: "3000" },
      write: (line) => appendFileSync(logFile, line + "\n"),
    });
  });
  after(async () => {
    await sys?.stop();
    console.log(`# service logs: ${logFile}`);
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

    const orders = client(OrderService, "flower-order");
    const payments = client(PaymentService, "payment");
    // Every order of these customers, as the order service kept it.
    const kept = async () => (await Promise.all(phones.map(async (phoneNumber) => (await orders.listOrders({ phoneNumber })).orders))).flat();
    const settled = await eventually("every payment follows its order", async () => {
      const [all, paid] = [await kept(), (await payments.listPayments({ system: "flower" })).payments];
      const live = new Set(all.filter((o: Order) => o.status !== OrderStatus.CANCELLED).map((o) => o.id));
      const captured = paid.filter((p) => p.status === PaymentStatus.APPROVED);
      const capturedIds = new Set(captured.map((p) => p.referenceId));
      const same = live.size === capturedIds.size && [...live].every((id) => capturedIds.has(id));
      return same ? { all, paid, captured } : undefined;
    }, 90_000);

    assert.ok(settled.all.length >= answers.placed, "every order answered as placed was kept");
    const byReference = new Map<string, number>();
    for (const p of settled.paid) byReference.set(p.referenceId, (byReference.get(p.referenceId) ?? 0) + 1);
    assert.ok([...byReference.values()].every((n) => n === 1), "one payment per order: nobody charged twice");
    // A refund has an amount; a tombstone (cancelled before any Pay arrived) has none.
    const notPlaced = settled.paid.filter((p) => p.status === PaymentStatus.CANCELLED && /^order not placed/.test(p.reason));
    const refunded = notPlaced.filter((p) => p.amount !== undefined).length;
    console.log(`# ${settled.all.length} orders kept, ${settled.captured.length} payments captured; of orders never placed, ${refunded} payments refunded and ${notPlaced.length - refunded} never taken`);
  });
});
