import assert from "node:assert/strict";
import { test } from "node:test";
import { addressVariable } from "../service/catalog-entry.js";
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

test("the runtime's settings: catalog defaults, dependency addresses, validation", () => {
  const catalog = [
    { id: "flower-order", system: "flower", httpPort: 8082, grpcPort: 9082, serves: [], dependsOn: ["payment"], main: "x" },
    { id: "payment", system: "payment", httpPort: 8084, grpcPort: 9084, serves: [], dependsOn: [], main: "y" },
  ];
  const env = readEnv({ [addressVariable("payment")]: "payment:9090", GRPC_PORT: "7000" });
  const config = readRuntimeConfig(env, catalog[0], catalog);
  env.done();
  assert.equal(config.httpPort, 8082);
  assert.equal(config.grpcPort, 7000);
  assert.deepEqual(config.addresses, { payment: "payment:9090" });
  assert.equal(readRuntimeConfig(readEnv({}), catalog[0], catalog).addresses.payment, "127.0.0.1:9084");
  const bad = readEnv({ EVENT_NAMESPACE: "a.b", NATS_URL: "http://x", SHUTDOWN_DELAY_MS: "-1" });
  readRuntimeConfig(bad, catalog[0], catalog);
  assert.throws(() => bad.done(), /EVENT_NAMESPACE[\s\S]*NATS_URL|NATS_URL[\s\S]*EVENT_NAMESPACE/);
  assert.equal(addressVariable("flower-store"), "FLOWER_STORE_ADDR");
});

test("DATABASE_PASSWORD fills the password of a mysql DATABASE_URL; CORS_ALLOWED_ORIGINS is checked", () => {
  const entry = { id: "payment", system: "payment", httpPort: 8084, grpcPort: 9084, serves: [], dependsOn: [], main: "y" };
  const read = (vars: Record<string, string>) => {
    const env = readEnv(vars);
    const config = readRuntimeConfig(env, entry, [entry]);
    env.done();
    return config;
  };
  assert.equal(read({ DATABASE_URL: "mysql://root@db:3306/payment", DATABASE_PASSWORD: "p@ss:w/rd" }).databaseUrl, "mysql://root:p%40ss%3Aw%2Frd@db:3306/payment");
  assert.equal(read({ DATABASE_URL: "sqlite://data/x.sqlite", DATABASE_PASSWORD: "ignored" }).databaseUrl, "sqlite://data/x.sqlite");
  assert.deepEqual(read({ CORS_ALLOWED_ORIGINS: "https://a.example, http://localhost:5173" }).corsAllowedOrigins, ["https://a.example", "http://localhost:5173"]);
  assert.deepEqual(read({}).corsAllowedOrigins, ["*"]);
  assert.throws(() => read({ CORS_ALLOWED_ORIGINS: "a.example" }), /CORS_ALLOWED_ORIGINS/);
});
