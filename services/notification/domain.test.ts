import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createNotification, recordAttempt, retryDelayMs, type RetrySchedule } from "./domain.js";

const schedule: RetrySchedule = { maxAttempts: 3, baseMs: 100, maxMs: 250 };
const now = new Date("2024-05-01T10:00:00Z");
const origin = { id: "n-1", eventId: "e-1", system: "flower", referenceId: "o-1", correlationId: "c-1", eventType: "flower.order.OrderPlaced", channel: "log", now };

describe("delivery attempts", () => {
  const fresh = () => createNotification("hi", "010", origin);

  it("creates a pending notification due at once", () => {
    const n = fresh();
    assert.equal(n.status, "pending");
    assert.equal(n.attempts, 0);
    assert.deepEqual(n.nextAttemptAt, now);
    assert.equal(n.sentAt, undefined);
    assert.equal(n.referenceId, "o-1");
  });

  it("marks a successful attempt sent", () => {
    const n = recordAttempt(fresh(), { ok: true }, now, schedule);
    assert.equal(n.status, "sent");
    assert.equal(n.attempts, 1);
    assert.deepEqual(n.sentAt, now);
  });

  it("backs off exponentially up to the cap", () => {
    assert.deepEqual([1, 2, 3, 4].map((a) => retryDelayMs(a, schedule)), [100, 200, 250, 250]);
    const once = recordAttempt(fresh(), { ok: false, error: "503" }, now, schedule);
    assert.equal(once.status, "pending");
    assert.equal(once.lastError, "503");
    assert.equal(once.nextAttemptAt.getTime() - now.getTime(), 100);
    const twice = recordAttempt(once, { ok: false, error: "503" }, now, schedule);
    assert.equal(twice.nextAttemptAt.getTime() - now.getTime(), 200);
  });

  it("gives up after the last attempt, keeping the notification as failed", () => {
    let n = fresh();
    for (let i = 0; i < 3; i++) n = recordAttempt(n, { ok: false, error: "timeout" }, now, schedule);
    assert.equal(n.status, "failed");
    assert.equal(n.attempts, 3);
    assert.equal(n.lastError, "timeout");
  });
});
