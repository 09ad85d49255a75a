// `DATABASE_URL=mysql://…/shop npm start`: every service a real process given the same URL, each
// migrating into a database of its own (shop_<service>), against the MariaDB of this machine.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import mysql from "mysql2/promise";
import { OrderService, OrderStatus } from "../gen/flower/v1/order_pb.js";
import { eventually, startTestSystem, testDialects, type TestSystem } from "../mesh/testing/index.js";
import { catalog } from "./catalog.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const server = (process.env.TEST_MYSQL_URL ?? "mysql://root@127.0.0.1:3306").replace(/\/+$/, "");
const base = `mesh_shop_${randomBytes(4).toString("hex")}`;
const ids = catalog.filter((e) => ["flower", "payment", "notification"].includes(e.system)).map((e) => e.id);
const own = (id: string) => `${base}_${id.replaceAll("-", "_")}`;

describe("one mysql DATABASE_URL for every service (processes)", { skip: !testDialects.includes("mysql"), timeout: 180_000 }, () => {
  let sys: TestSystem | undefined;
  let admin: mysql.Connection;
  const logs: string[] = [];
  before(async () => {
    admin = await mysql.createConnection(server);
    try {
      sys = await startTestSystem({ catalog, root, ids, env: { DATABASE_URL: `${server}/${base}` }, write: (line) => logs.push(line) });
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${logs.slice(-40).join("\n")}`);
    }
  });
  after(async () => {
    await sys?.stop();
    const [left] = await admin.query("SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name LIKE ?", [`${base}%`]);
    for (const { name } of left as Array<{ name: string }>) await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.end();
  });

  test("each service created and migrated its own database; none uses the base or another's", async () => {
    const [rows] = await admin.query("SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name LIKE ? ORDER BY 1", [`${base}%`]);
    assert.deepEqual((rows as Array<{ name: string }>).map((r) => r.name), ids.map(own).sort(), "one database per service, and not the base itself");
    const histories = new Map<string, string[]>();
    for (const id of ids) {
      const [tables] = await admin.query("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ?", [own(id)]);
      const names = (tables as Array<{ name: string }>).map((t) => t.name);
      assert.ok(["migrations", "mesh_migrations", "outbox"].every((t) => names.includes(t)), `${id}: ${names.join(", ")}`);
      const [applied] = await admin.query(`SELECT name FROM \`${own(id)}\`.migrations ORDER BY id`);
      histories.set(id, (applied as Array<{ name: string }>).map((m) => m.name));
      assert.ok(histories.get(id)!.length > 0, `${id} applied its migrations`);
    }
    // The order context's tables are in its database only.
    const [orderTables] = await admin.query("SELECT table_schema AS db FROM information_schema.tables WHERE table_schema LIKE ? AND table_name = 'orders'", [`${base}%`]);
    assert.deepEqual((orderTables as Array<{ db: string }>).map((t) => t.db), [own("flower-order")]);
  });

  test("and they serve: an order placed goes through store and payment to sold", async () => {
    const orders = createClient(OrderService, createGrpcTransport({ baseUrl: sys!.url("flower-order") }));
    const { order } = await orders.placeOrder({ flowerId: "1", qty: 1, isOffline: true, phoneNumber: "010-4242-0001" });
    assert.equal(order!.status, OrderStatus.PLACED);
    await eventually("the order sold", async () => {
      const [h] = (await orders.listOrderHistories({ orderId: order!.id })).orderHistories;
      return h?.status === OrderStatus.SOLD;
    });
    const [rows] = await admin.query(`SELECT COUNT(*) AS n FROM \`${own("flower-order")}\`.orders WHERE id = ?`, [order!.id]);
    assert.equal(Number((rows as Array<{ n: number }>)[0].n), 1);
  });
});
