import assert from "node:assert/strict";
import { test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createHandlerContext } from "@connectrpc/connect";
import {
  Health,
  HealthCheckRequestSchema,
  HealthListRequestSchema,
  HealthCheckResponse_ServingStatus as Status,
} from "../../gen/grpc/health/v1/health_pb.js";
import { createHealth } from "./health.js";
import { createReadiness } from "./readiness.js";

const context = (method: (typeof Health.methods)[number], signal?: AbortSignal) =>
  createHandlerContext({ service: Health, method, protocolName: "grpc", requestMethod: "POST", url: "/", requestSignal: signal });

function setup() {
  const readiness = createReadiness(["database"]);
  const health = createHealth({ readiness, services: ["meshtest.v1.ItemService"] });
  const check = async (service: string) => {
    try {
      return (await health.check(create(HealthCheckRequestSchema, { service }), context(Health.method.check))).status;
    } catch (e) {
      return ConnectError.from(e).code;
    }
  };
  return { readiness, health, check };
}

test("Check and List follow readiness; unknown names are NOT_FOUND", async () => {
  const { readiness, health, check } = setup();
  assert.equal(await check(""), Status.NOT_SERVING);
  assert.equal(await check("meshtest.v1.ItemService"), Status.NOT_SERVING);
  readiness.mark("database", true);
  assert.equal(await check(""), Status.SERVING);
  assert.equal(await check("meshtest.v1.ItemService"), Status.SERVING);
  assert.equal(await check("meshtest.v1.Nope"), Code.NotFound);
  const list = await health.list(create(HealthListRequestSchema), context(Health.method.list));
  assert.deepEqual(Object.fromEntries(Object.entries(list.statuses ?? {}).map(([k, v]) => [k, v.status])), {
    "": Status.SERVING,
    "meshtest.v1.ItemService": Status.SERVING,
  });
  readiness.startShutdown();
  assert.equal(await check(""), Status.NOT_SERVING);
});

test("Watch pushes every change as it happens and ends after shutdown's NOT_SERVING", async () => {
  const { readiness, health } = setup();
  const stream = health.watch(create(HealthCheckRequestSchema, { service: "" }), context(Health.method.watch))[Symbol.asyncIterator]();
  const next = async () => ((await stream.next()).value as { status: Status } | undefined)?.status;
  assert.equal(await next(), Status.NOT_SERVING);
  readiness.mark("database", true);
  assert.equal(await next(), Status.SERVING);
  readiness.mark("database", false, "lost");
  readiness.mark("database", true); // back before the watcher looked: no spurious change
  readiness.mark("database", false, "lost again");
  assert.equal(await next(), Status.NOT_SERVING);
  readiness.mark("database", true);
  assert.equal(await next(), Status.SERVING);
  readiness.startShutdown();
  assert.equal(await next(), Status.NOT_SERVING);
  assert.equal((await stream.next()).done, true);
});

test("Watch ends when the caller aborts; an unknown service is SERVICE_UNKNOWN until then", async () => {
  const { health } = setup();
  const ac = new AbortController();
  const seen: Status[] = [];
  const watching = (async () => {
    for await (const r of health.watch(create(HealthCheckRequestSchema, { service: "x.Unknown" }), context(Health.method.watch, ac.signal))) seen.push(r.status!);
  })();
  const known = new AbortController();
  const watchingKnown = (async () => {
    for await (const _ of health.watch(create(HealthCheckRequestSchema, { service: "" }), context(Health.method.watch, known.signal)));
  })();
  await new Promise((r) => setImmediate(r));
  ac.abort();
  known.abort();
  await Promise.all([watching, watchingKnown]);
  assert.deepEqual(seen, [Status.SERVICE_UNKNOWN]);
});
