import assert from "node:assert/strict";
import { test } from "node:test";
import { parseDatabaseUrl } from "./database.js";
import { databaseVariable, serviceDatabaseName, serviceDatabaseUrl } from "./service-database.js";

test("a service's database: <base>_<service id>, only letters, digits and _ added", () => {
  assert.equal(serviceDatabaseName("shop", "flower-order"), "shop_flower_order");
  assert.equal(serviceDatabaseName("shop", "payment"), "shop_payment");
  assert.equal(serviceDatabaseName("my-shop", "flower-store#2"), "my-shop_flower_store_2", "the base as given (the URL parser checked it)");
});

test("a name over MySQL's 64 characters is cut and keeps a hash of the whole, so services stay apart", () => {
  const base = "b".repeat(60);
  const order = serviceDatabaseName(base, "flower-order");
  const store = serviceDatabaseName(base, "flower-store");
  assert.equal(order.length, 64);
  assert.equal(store.length, 64);
  assert.notEqual(order, store);
  assert.match(order, /^b+_[0-9a-f]{8}$/);
  assert.equal(serviceDatabaseName(base, "flower-order"), order, "the same every time");
  assert.equal(serviceDatabaseName("b".repeat(51), "flower_order").length, 64, "exactly 64 is kept whole");
  assert.equal(serviceDatabaseName("b".repeat(51), "flower_order"), `${"b".repeat(51)}_flower_order`);
  // Every derived name is one the URL parser accepts.
  for (const name of [order, store, serviceDatabaseName("shop", "flower-order")]) {
    assert.equal((parseDatabaseUrl(`mysql://root@h/${name}`) as { database: string }).database, name);
  }
});

test("the service's URL: same server and credentials, its own database or file", () => {
  assert.equal(serviceDatabaseUrl("mysql://root@127.0.0.1:3306/shop", "flower-order"), "mysql://root@127.0.0.1:3306/shop_flower_order");
  assert.equal(serviceDatabaseUrl("mysql://app:p%40ss@db/shop?ssl=1", "payment"), "mysql://app:p%40ss@db/shop_payment?ssl=1");
  assert.equal(serviceDatabaseUrl("sqlite://data/shop.sqlite", "flower-order"), "sqlite://data/shop_flower_order.sqlite");
  assert.equal(serviceDatabaseUrl("sqlite:///var/lib/mesh/shop.v2.db", "payment"), "sqlite:///var/lib/mesh/shop.v2_payment.db");
  assert.equal(serviceDatabaseUrl("sqlite://shop", "payment"), "sqlite://shop_payment");
  // Left as they are: one per process anyway, or wrong (opening it says what is wrong).
  for (const url of ["sqlite::memory:", "mysql://root@host:3306", "mysql://u@host:99999/db", "postgres://u@h/db", ""]) {
    assert.equal(serviceDatabaseUrl(url, "payment"), url);
  }
  assert.equal(databaseVariable("flower-order"), "FLOWER_ORDER_DATABASE_URL");
});
