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

test("a flood of identical lines is written once, then once with how many followed; lines of different calls stay apart", () => {
  const lines: Record<string, unknown>[] = [];
  const timers: Array<() => void> = [];
  const log = createLogger({ service: "flower-order", write: (l) => lines.push(JSON.parse(l)), repeatWindowMs: 10_000, schedule: (fn) => timers.push(fn) });
  const relay = log.child({ relay: "outbox" });
  for (let i = 0; i < 13_000; i++) relay.warn("outbox relay could not publish; events kept, retrying", { error: new Error("TIMEOUT"), retryInMs: 2000 });
  relay.warn("outbox relay could not publish; events kept, retrying", { error: new Error("TIMEOUT"), retryInMs: 4000 }); // another line
  const trace = { traceId: "a".repeat(32), spanId: "b".repeat(16), sampled: true };
  for (const correlationId of ["c-1", "c-2"]) runInContext({ correlationId, trace }, () => log.warn("rpc failed", { code: "Unavailable" }));
  log.debug("rpc handled"); // debug lines are asked for one by one: never collapsed (and hidden here)
  assert.equal(lines.length, 4, "one relay line of each kind, one line per call");
  assert.deepEqual(lines.slice(2).map((l) => l.correlationId), ["c-1", "c-2"]);
  timers.forEach((fire) => fire());
  assert.equal(lines.length, 5, "a summary only where lines were held back");
  const summary = lines[4];
  assert.equal(summary.msg, "outbox relay could not publish; events kept, retrying");
  assert.equal(summary.relay, "outbox");
  assert.equal(summary.retryInMs, 2000);
  assert.equal(summary.repeated, 12_999);
  assert.equal(summary.withinMs, 10_000);
  relay.warn("outbox relay could not publish; events kept, retrying", { error: new Error("TIMEOUT"), retryInMs: 2000 });
  assert.equal(lines.length, 6, "after the window the next one is written again");
});

test("debug lines and repeatWindowMs 0 are never collapsed", () => {
  const lines: string[] = [];
  const log = createLogger({ service: "s", level: "debug", write: (l) => lines.push(l), repeatWindowMs: 0 });
  for (let i = 0; i < 3; i++) log.info("same");
  const debug = createLogger({ service: "s", level: "debug", write: (l) => lines.push(l), schedule: () => undefined });
  for (let i = 0; i < 3; i++) debug.debug("same");
  assert.equal(lines.length, 6);
});

test("database errors are logged without the values of their statement (phone numbers, addresses)", () => {
  const lines: Record<string, any>[] = []; // eslint-disable-line @typescript-eslint/no-explicit-any
  const log = createLogger({ service: "s", write: (l) => lines.push(JSON.parse(l)), repeatWindowMs: 0 });
  // As knex and mysql2 make them: the statement with its values, then MySQL's message quoting the value.
  const tooLong = Object.assign(new Error("insert into `outbox` (`id`, `phone`, `qty`) values ('e-1', '010-1234-5678', 12) - Data too long for column 'phone' at row 1"), {
    code: "ER_DATA_TOO_LONG", errno: 1406, sqlState: "22001", sqlMessage: "Data too long for column 'phone' at row 1",
    sql: "insert into `outbox` (`id`, `phone`, `qty`) values ('e-1', '010-1234-5678', 12)",
  });
  const duplicate = Object.assign(new Error("insert into `t` (`id`) values ('Seoul, Gangnam-gu') - Duplicate entry 'Seoul, Gangnam-gu' for key 'PRIMARY'"), {
    code: "ER_DUP_ENTRY", errno: 1062, sqlState: "23000", sqlMessage: "Duplicate entry 'Seoul, Gangnam-gu' for key 'PRIMARY'",
  });
  const sqlite = Object.assign(new Error("update `orders` set `address` = 'Seoul, Gangnam-gu' where `id` = 'o''1' - NOT NULL constraint failed: orders.qty"), { code: "SQLITE_CONSTRAINT_NOTNULL" });
  const wrapped = new Error("delete from `t0` where `n` = 987654 and `x` = X'0102' - boom"); // no driver fields: known by its shape
  log.error("rpc failed with an unexpected error", { error: tooLong });
  log.error("policy failed", { error: duplicate });
  log.error("relay failed", { error: sqlite });
  log.error("other", { error: wrapped });
  const text = JSON.stringify(lines);
  for (const value of ["010-1234-5678", "Seoul", "e-1", "o''1", "987654", "0102"]) assert.ok(!text.includes(value), `${value} leaked: ${text}`);
  assert.deepEqual(
    { message: lines[0].error.message, code: lines[0].error.code, errno: lines[0].error.errno, statement: lines[0].error.statement },
    { message: "Data too long for column 'phone' at row 1", code: "ER_DATA_TOO_LONG", errno: 1406, statement: "insert into `outbox` (`id`, `phone`, `qty`) values (?, ?, ?)" },
  );
  assert.equal(lines[1].error.message, "Duplicate entry ? for key 'PRIMARY'");
  assert.equal(lines[2].error.statement, "update `orders` set `address` = ? where `id` = ?");
  assert.equal(lines[2].error.message, "NOT NULL constraint failed: orders.qty");
  assert.equal(lines[3].error.statement, "delete from `t0` where `n` = ? and `x` = ?");
  assert.match(lines[0].error.stack, /^Error: Data too long for column 'phone' at row 1\n {4}at /);
});
