// What the gateway routes: every service of the catalog, except the internal ones (a saga's step
// between two services of one system), which no client may reach through it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isInternal } from "../../mesh/testing/index.js";
import { catalog } from "../catalog.js";

const gateway = catalog.find((e) => e.id === "gateway")!;
const owned = catalog.filter((e) => e.id !== "gateway").flatMap((e) => e.serves);

test("the gateway serves every service of the catalog but the internal ones", () => {
  const internal = owned.filter(isInternal).map((s) => s.typeName);
  assert.ok(internal.includes("rental.v1.ItemHoldService"), `internal services: ${internal.join(", ")}`);
  assert.deepEqual(gateway.serves.map((s) => s.typeName).sort(), owned.filter((s) => !isInternal(s)).map((s) => s.typeName).sort());
});

test("an internal service is called by a service of its own system, declared as its dependency", () => {
  for (const service of owned.filter(isInternal)) {
    const owner = catalog.find((e) => e.serves.includes(service))!;
    const callers = catalog.filter((e) => e.id !== "gateway" && Object.values(e.definition.dependencies ?? {}).some((d) => d.service === service));
    assert.ok(callers.length > 0, `${service.typeName}: nobody calls it`);
    for (const caller of callers) assert.equal(caller.system, owner.system, `${caller.id} calls ${service.typeName} of another system`);
  }
});
