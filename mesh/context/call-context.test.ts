import assert from "node:assert/strict";
import { test } from "node:test";
import { contextFromHeaders, currentContext, headersFromContext, runInContext } from "./call-context.js";
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
