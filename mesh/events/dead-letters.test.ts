import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { headers as natsHeaders } from "nats";
import { formatDeadLetters } from "./dead-letters-cli.js";
import { listDeadLetters } from "./dead-letters.js";
import { deadLetterSubject } from "./subjects.js";
import { createTestNats, type TestNats } from "./event-fixtures.js";

const run = promisify(execFile);
const cli = fileURLToPath(new URL("./dead-letters-cli.ts", import.meta.url));

let t: TestNats;
before(async () => {
  t = await createTestNats();
  // Dead letters as a consumer writes them (consumer.test.ts covers the consumer writing them).
  const js = t.nc.jetstream();
  for (const [consumer, eventId, reason] of [["svc-a", "e1", "boom"], ["svc-b", "e2", "malformed event: premature EOF"], ["svc-a", "e3", "still boom"]]) {
    const h = natsHeaders();
    h.set("Event-Type", "meshtest.v1.OrderPlaced");
    h.set("Occurred-At", "2026-01-02T03:04:05.006Z");
    h.set("x-correlation-id", `saga-${eventId}`);
    h.set("Dead-Letter-Reason", reason);
    h.set("Dead-Letter-Consumer", consumer);
    h.set("Original-Subject", `${t.namespace}.sample.order.OrderPlaced`);
    h.set("Delivery-Count", "8");
    h.set("Event-Id", eventId);
    await js.publish(deadLetterSubject(t.namespace, consumer), new Uint8Array([1, 2, 3]), { headers: h, msgID: `${consumer}:${eventId}:1` });
  }
});
after(() => t.cleanup());

test("lists dead letters oldest first, without consuming them, by consumer and up to a limit", async () => {
  const all = await listDeadLetters({ nc: t.nc, namespace: t.namespace });
  assert.deepEqual(all.map((d) => d.eventId), ["e1", "e2", "e3"]);
  assert.deepEqual(all[0], {
    seq: all[0].seq,
    subject: "sample.order.OrderPlaced",
    consumer: "svc-a",
    reason: "boom",
    deliveryCount: 8,
    eventId: "e1",
    eventType: "meshtest.v1.OrderPlaced",
    correlationId: "saga-e1",
    occurredAt: "2026-01-02T03:04:05.006Z",
    deadLetteredAt: all[0].deadLetteredAt,
    payloadBase64: "AQID",
  });
  assert.deepEqual((await listDeadLetters({ nc: t.nc, namespace: t.namespace, consumer: "svc-a" })).map((d) => d.eventId), ["e1", "e3"]);
  assert.deepEqual((await listDeadLetters({ nc: t.nc, namespace: t.namespace, limit: 2 })).map((d) => d.eventId), ["e1", "e2"]);
  assert.equal((await listDeadLetters({ nc: t.nc, namespace: t.namespace })).length, 3, "reading consumed nothing");
  assert.deepEqual(await listDeadLetters({ nc: t.nc, namespace: `${t.namespace}x` }), [], "no stream, no dead letters");
});

test("formats them as a table", async () => {
  const table = formatDeadLetters(await listDeadLetters({ nc: t.nc, namespace: t.namespace }));
  const [head, ...rows] = table.split("\n");
  assert.match(head, /^SEQ\s+DEAD-LETTERED \(UTC\)\s+CONSUMER\s+SUBJECT\s+EVENT ID\s+CORRELATION ID\s+TRIES\s+REASON$/);
  assert.equal(rows.length, 3);
  assert.match(rows[1], /svc-b\s+sample\.order\.OrderPlaced\s+e2\s+saga-e2\s+8\s+malformed event: premature EOF$/);
  assert.equal(formatDeadLetters([]), "no dead letters");
});

test("npm run deadletters prints the namespace's dead letters (NATS_URL, EVENT_NAMESPACE)", async () => {
  const env = { ...process.env, NATS_URL: t.url, EVENT_NAMESPACE: t.namespace };
  const { stdout } = await run(process.execPath, ["--import", "tsx", cli, "--consumer", "svc-b"], { env });
  assert.match(stdout, /^SEQ/);
  assert.match(stdout, /svc-b .* e2 /);
  assert.doesNotMatch(stdout, /svc-a/);
  await assert.rejects(run(process.execPath, ["--import", "tsx", cli], { env: { ...env, NATS_URL: "nats://127.0.0.1:1" } }), (err: { stderr: string; code: number }) => {
    assert.equal(err.code, 1);
    assert.match(err.stderr, /NATS_URL=nats:\/\/127\.0\.0\.1:1/);
    return true;
  });
});
