import assert from "node:assert/strict";
import { test } from "node:test";
import { runInContext } from "../context/call-context.js";
import { createLogger } from "./logger.js";

test("JSON lines with service, level, context and fields; errors keep their message and stack", () => {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ service: "flower-order", level: "info", write: (l) => lines.push(JSON.parse(l)) });
  log.debug("hidden");
  runInContext({ correlationId: "cmd-1", businessKey: "order-1", causationId: "evt-1", trace: { traceId: "a".repeat(32), spanId: "b".repeat(16), sampled: true } }, () => {
    log.child({ consumer: "c1" }).warn("retrying", { error: new Error("boom"), attempt: 2 });
  });
  assert.equal(lines.length, 1);
  const [line] = lines;
  assert.equal(line.service, "flower-order");
  assert.equal(line.level, "warn");
  assert.equal(line.msg, "retrying");
  assert.equal(line.correlationId, "cmd-1");
  assert.equal(line.businessKey, "order-1", "while an event is handled: the order it is about");
  assert.equal(line.causationId, "evt-1");
  assert.equal(line.traceId, "a".repeat(32));
  assert.equal(line.consumer, "c1");
  assert.equal(line.attempt, 2);
  assert.equal((line.error as { message: string }).message, "boom");
  assert.match((line.error as { stack: string }).stack, /logger\.test/);
});

test("a business key equal to the correlation id is not repeated", () => {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ service: "s", write: (l) => lines.push(JSON.parse(l)) });
  runInContext({ correlationId: "o-1", businessKey: "o-1", trace: { traceId: "a".repeat(32), spanId: "b".repeat(16), sampled: true } }, () => log.info("x"));
  assert.equal(lines[0].correlationId, "o-1");
  assert.ok(!("businessKey" in lines[0]));
});
