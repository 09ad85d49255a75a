// A view's steps on each dialect: recorded per event in the projection's transaction, read back
// per case in the order they happened, under the case column a view names.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { OrderPlacedSchema } from "../../gen/meshtest/v1/events_pb.js";
import { testDialects, withMigratedDatabase } from "../db/database-fixtures.js";
import { testEvents } from "../events/event-fixtures.js";
import type { ReceivedEvent } from "../events/event-type.js";
import { createTransact } from "../events/transact.js";
import { createRepository } from "../service/repository.js";
import { stepsTable, viewSteps } from "./view-steps.js";

const steps = stepsTable("order_steps", "order_id");
const at = (second: number) => new Date(Date.UTC(2026, 11, 24, 10, 0, second));
const placed = (id: string, orderId: string, second: number): ReceivedEvent => ({
  id, type: testEvents.orderPlaced as never, message: create(OrderPlacedSchema, { orderId }), occurredAt: at(second), correlationId: `c-${id}`, businessKey: orderId,
});

for (const dialect of testDialects) {
  describe(`view steps on ${dialect}`, () => {
    test("each case gets its own steps, oldest first, with the event's name, times and correlation id; the case column is the view's", () =>
      withMigratedDatabase(dialect, steps.migrations, async ({ db }) => {
        const transact = createTransact({ db });
        const view = viewSteps(createRepository(steps, { db, transact }));
        await transact(async (tx) => {
          await view.record(tx, placed("e3", "o-1", 30), "third", { now: at(31) });
          await view.record(tx, placed("e1", "o-1", 10), "first", { now: at(11) });
          await view.record(tx, placed("e2", "o-2", 20), "x".repeat(400));
          await view.record(tx, placed("e4", "o-2.2", 40), "a retry's payment, shown on its order", { caseId: "o-2" });
        });
        const rows = await view.attach([{ id: "o-1" }, { id: "o-2" }, { id: "o-9" }], (r) => r.id);
        assert.deepEqual(rows[0].steps.map((s) => [s.eventId, s.description, s.event, s.correlationId]), [["e1", "first", "OrderPlaced", "c-e1"], ["e3", "third", "OrderPlaced", "c-e3"]]);
        assert.deepEqual(rows[0].steps.map((s) => s.recordedAt.getTime() - s.occurredAt.getTime()), [1000, 1000], "the view's lag, per step");
        assert.deepEqual(rows[1].steps.map((s) => [s.eventId, s.description.length]), [["e2", 300], ["e4", 37]]);
        assert.deepEqual(rows[2].steps, []);
        assert.deepEqual((await db("order_steps").select("order_id").orderBy("event_id")).map((r) => r.order_id), ["o-1", "o-2", "o-1", "o-2"]);
      }));
  });
}
