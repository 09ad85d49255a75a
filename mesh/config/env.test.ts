import assert from "node:assert/strict";
import { test } from "node:test";
import { ItemService } from "../../gen/meshtest/v1/sample_pb.js";
import { addressVariable, catalogOf } from "../service/catalog-entry.js";
import { defineService, dependency } from "../service/define-service.js";
import { ConfigError, readEnv } from "./env.js";
import { readRuntimeConfig } from "./runtime-config.js";

test("typed values with defaults", () => {
  const env = readEnv({ A: "42", B: "true", C: "debug", D: "nats://h:4222", E: "h:1" });
  assert.equal(env.int("A"), 42);
  assert.equal(env.bool("B"), true);
  assert.equal(env.oneOf("C", ["debug", "info"] as const), "debug");
  assert.equal(env.url("D", ["nats"]), "nats://h:4222");
  assert.equal(env.address("E"), "h:1");
  assert.equal(env.int("MISSING", 7), 7);
  assert.equal(env.string("EMPTY", "x"), "x");
  env.done();
});

test("every bad or missing value is named in one error", () => {
  const env = readEnv({ PORT: "http", FLAG: "maybe", LEVEL: "loud", URL: "http://x", ADDR: "nope", NS: "a.b" });
  env.port("PORT");
  env.bool("FLAG");
  env.oneOf("LEVEL", ["info", "warn"] as const);
  env.url("URL", ["nats"]);
  env.address("ADDR");
  env.string("REQUIRED");
  env.matching("NS", /^[a-z]+$/, "may hold only letters");
  env.int("BIG", 1, { max: 10 });
  assert.throws(() => env.done(), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.deepEqual(e.problems.map((p) => p.split(/[= ]/)[0]), ["PORT", "FLAG", "LEVEL", "URL", "ADDR", "REQUIRED", "NS"]);
    assert.match(e.message, /PORT="http" is not a whole number/);
    assert.match(e.message, /REQUIRED is required/);
    return true;
  });
});

// A context that calls a shared service, as the catalog lists them.
const billing = defineService({ id: "billing", port: 8084, serves: [], start: () => ({ rpc: [] }) });
const order = defineService({
  id: "sample-order", port: 8082, serves: [], dependencies: { billing: dependency("billing", ItemService) }, start: () => ({ rpc: [] }),
});
const catalog = catalogOf([{ name: "sample", contexts: [order] }, { name: "billing", contexts: [billing] }]);

test("the runtime's settings: catalog defaults, dependency addresses, validation", () => {
  const env = readEnv({ [addressVariable("billing")]: "billing:9090", GRPC_PORT: "7000" });
  const config = readRuntimeConfig(env, catalog[0], catalog);
  env.done();
  assert.equal(config.httpPort, 8082);
  assert.equal(config.grpcPort, 7000);
  assert.deepEqual(config.addresses, { billing: "billing:9090" });
  assert.equal(readRuntimeConfig(readEnv({}), catalog[0], catalog).addresses.billing, "127.0.0.1:8084", "Connect calls go to the catalog's HTTP port");
  const grpc = readRuntimeConfig(readEnv({ CLIENT_PROTOCOL: "grpc" }), catalog[0], catalog);
  assert.deepEqual([grpc.clientProtocol, grpc.addresses.billing], ["grpc", "127.0.0.1:9084"], "gRPC calls go to its gRPC port, 1000 above");
  const unknown = readEnv({ CLIENT_PROTOCOL: "carrier-pigeon" });
  readRuntimeConfig(unknown, catalog[0], catalog);
  assert.throws(() => unknown.done(), /CLIENT_PROTOCOL/);
  const bad = readEnv({ EVENT_NAMESPACE: "a.b", NATS_URL: "http://x", SHUTDOWN_DELAY_MS: "-1" });
  readRuntimeConfig(bad, catalog[0], catalog);
  assert.throws(() => bad.done(), /EVENT_NAMESPACE[\s\S]*NATS_URL|NATS_URL[\s\S]*EVENT_NAMESPACE/);
  assert.equal(addressVariable("sample-order"), "SAMPLE_ORDER_ADDR");
});

test("one DATABASE_URL for every service: each its own database, with DATABASE_PASSWORD filled in; CORS_ALLOWED_ORIGINS is checked", () => {
  const read = (vars: Record<string, string>, entry = catalog[1]) => {
    const env = readEnv(vars);
    const config = readRuntimeConfig(env, entry, catalog);
    env.done();
    return config;
  };
  assert.equal(read({ DATABASE_URL: "mysql://root@db:3306/shop", DATABASE_PASSWORD: "p@ss:w/rd" }).databaseUrl, "mysql://root:p%40ss%3Aw%2Frd@db:3306/shop_billing");
  assert.equal(read({ DATABASE_URL: "mysql://root@db:3306/shop" }, catalog[0]).databaseUrl, "mysql://root@db:3306/shop_sample_order");
  assert.equal(read({ DATABASE_URL: "sqlite://data/x.sqlite", DATABASE_PASSWORD: "ignored" }).databaseUrl, "sqlite://data/x_billing.sqlite");
  assert.equal(read({}).databaseUrl, "", "no URL: the service's SQLite file under DATA_DIR");
  // A service's own URL is used as it is (an existing database with a name of its own).
  const own = { DATABASE_URL: "mysql://root@db/shop", BILLING_DATABASE_URL: "mysql://app@db2/ledger", DATABASE_PASSWORD: "pw" };
  assert.equal(read(own).databaseUrl, "mysql://app:pw@db2/ledger");
  assert.equal(read(own, catalog[0]).databaseUrl, "mysql://root:pw@db/shop_sample_order");
  assert.deepEqual(read({ CORS_ALLOWED_ORIGINS: "https://a.example, http://localhost:5173" }).corsAllowedOrigins, ["https://a.example", "http://localhost:5173"]);
  assert.deepEqual(read({}).corsAllowedOrigins, ["*"]);
  assert.throws(() => read({ CORS_ALLOWED_ORIGINS: "a.example" }), /CORS_ALLOWED_ORIGINS/);
});
