// What one service's process loads (services/run.ts): its part of the catalog, the same as the full
// catalog's for that service and for every service it calls.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { CatalogEntry } from "../mesh/index.js";
import { catalog, systems } from "./catalog.js";
import { catalogFor, systemNames } from "./catalog-for.js";

const shape = (e: CatalogEntry) => ({
  id: e.id, system: e.system, httpPort: e.httpPort, grpcPort: e.grpcPort, dependsOn: [...e.dependsOn].sort(),
  serves: e.serves.map((s) => s.typeName).sort(), tables: (e.definition.tables ?? []).map((t) => t.name).sort(),
});

test("the systems' names are the catalog's, in its order", () => {
  assert.deepEqual([...systemNames], systems.map((s) => s.name));
});

test("every service's part of the catalog holds it and what it calls exactly as the full catalog does", async () => {
  for (const entry of catalog) {
    const part = await catalogFor(entry.id);
    for (const id of [entry.id, ...entry.dependsOn]) {
      const mine = part.find((e) => e.id === id);
      assert.ok(mine, `${entry.id}'s catalog lacks ${id}`);
      assert.deepEqual(shape(mine), shape(catalog.find((e) => e.id === id)!), `${id} as ${entry.id} sees it`);
    }
  }
});

test("a system's service loads its own system and the shared services it calls, not the other systems", async () => {
  assert.deepEqual((await catalogFor("flower-order")).map((e) => e.id).sort(), ["flower-delivery", "flower-order", "flower-store", "payment"]);
  assert.deepEqual((await catalogFor("resort-issue")).map((e) => e.id).sort(), ["resort-issue", "resort-mypage", "resort-reservation"]);
  assert.deepEqual((await catalogFor("payment")).map((e) => e.id), ["payment"]);
  assert.deepEqual((await catalogFor("notification")).map((e) => e.id), ["notification"]);
  // The gateway routes to every service; an unknown id gets the full list, for runService to name them.
  assert.equal(await catalogFor("gateway"), catalog);
  assert.equal(await catalogFor("flower-nothing"), catalog);
  assert.equal(await catalogFor(""), catalog);
});

test("payment and notification get every system's registration: what it refunds and what it tells its customers", async () => {
  for (const system of systems) {
    const { registration } = await import(`./${system.name}/registration.js`);
    assert.equal(registration.refunds, system.refunds, `${system.name}'s refunds`);
    assert.equal(registration.messages, system.messages, `${system.name}'s messages`);
  }
});
