import assert from "node:assert/strict";
import { test } from "node:test";
import { Metadata } from "@grpc/grpc-js";
import { contextFromHeaders, currentContext, headersFromContext, runInContext, type ReplacedId } from "./call-context.js";
import { maxPropagatedIdLength } from "./propagated-ids.js";
import { childSpan, formatTraceparent, parseTraceparent } from "./trace.js";

const parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

test("traceparent: parsed, formatted, continued in a child span; garbage starts a new trace", () => {
  const t = parseTraceparent(parent)!;
  assert.deepEqual(t, { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", sampled: true });
  assert.equal(formatTraceparent(t), parent);
  const child = childSpan(t);
  assert.equal(child.traceId, t.traceId);
  assert.notEqual(child.spanId, t.spanId);
  for (const bad of [undefined, "", "00-xyz", `00-${"0".repeat(32)}-b7ad6b7169203331-01`]) assert.equal(parseTraceparent(bad), undefined);
  assert.match(childSpan().traceId, /^[0-9a-f]{32}$/);
});

test("incoming headers become the context; outgoing headers carry it on", async () => {
  const incoming: Record<string, string> = { "x-correlation-id": "order-1", "x-causation-id": "evt-9", traceparent: parent };
  const ctx = contextFromHeaders((n) => incoming[n]);
  assert.equal(ctx.correlationId, "order-1");
  assert.equal(ctx.causationId, "evt-9");
  assert.equal(ctx.trace.traceId, "0af7651916cd43dd8448eb211c80319c");
  await runInContext(ctx, async () => {
    await new Promise((r) => setTimeout(r, 1));
    assert.equal(currentContext(), ctx);
    const out = headersFromContext();
    assert.equal(out["x-correlation-id"], "order-1");
    assert.equal(out["x-causation-id"], "evt-9");
    assert.equal(parseTraceparent(out.traceparent)?.spanId, ctx.trace.spanId);
  });
  assert.equal(currentContext(), undefined);
  assert.match(contextFromHeaders(() => undefined).correlationId, /^[0-9a-f-]{36}$/);
});

test("ids that could not travel on are replaced (a correlation id by a new one, a causation id by none) and reported", () => {
  const long = "c".repeat(129);
  for (const [given, why] of [["a\tb", "tab"], ["caf\u00e9", "non-ASCII"], ["x y", "space"], ["a\"b", "quote"], [long, "over 128 characters"], ["a, b", "two values joined"]]) {
    const seen: ReplacedId[] = [];
    const ctx = contextFromHeaders((n) => ({ "x-correlation-id": given, "x-causation-id": given, traceparent: "00-bad" })[n], (r) => seen.push(r));
    assert.match(ctx.correlationId, /^[0-9a-f-]{36}$/, why);
    assert.equal(ctx.causationId, undefined, why);
    assert.deepEqual(seen, [{ header: "x-correlation-id", given }, { header: "x-causation-id", given }], why);
    assert.match(ctx.trace.traceId, /^[0-9a-f]{32}$/, "a malformed traceparent starts a new trace (W3C)");
    // What goes out is always valid gRPC metadata.
    assert.doesNotThrow(() => { const md = new Metadata(); for (const [k, v] of Object.entries(headersFromContext(ctx))) md.set(k, v); });
  }
  const fine = "order:2024/07+b64=~_.@-" + "x".repeat(105);
  assert.equal(fine.length, maxPropagatedIdLength);
  assert.equal(contextFromHeaders((n) => (n === "x-correlation-id" ? fine : undefined)).correlationId, fine);
});
