// The runtime's public API is what services, their domains, their tests and the entry points may
// use; growing it is a decision, so each of its four entries is pinned.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as mesh from "./index.js";
import * as kernel from "./kernel/index.js";
import * as launcher from "./launcher/index.js";
import * as testing from "./testing/index.js";

test("mesh/index.ts exports exactly the runtime's API for service code", () => {
  assert.deepEqual(Object.keys(mesh).sort(), [
    "RetryLaterError", "bigint", "bool", "cancelAnswers", "catalogOf", "compensatedCalls", "currentCorrelationId", "decide", "defineEvent",
    "defineService", "dependency", "domainEnum", "emitEvents", "eventsOf", "fieldChecks", "formatMoney", "forwardTo", "further", "int", "isRefusal",
    "json", "money", "newId", "on", "pendingCallTimeout", "pendingCalls", "policy", "refused", "routesOf", "serve", "stepsTable", "table", "text",
    "timestamp", "toMessage", "unavailable", "viewSteps", "wasNeverSent",
  ]);
});

test("the kernel (for domain files), the testing and the launcher entries are pinned too", () => {
  assert.deepEqual(Object.keys(kernel).sort(), [
    "cancelConfirmed", "cancelRefused", "decide", "formatMoney", "further", "idOfPaymentReference", "isRefusal", "paymentAttemptOf", "paymentReferenceOf", "refuse", "times",
  ]);
  assert.deepEqual(Object.keys(testing).sort(), [
    "addressVariable", "codeOf", "createLogger", "curl", "daysAhead", "deleteNamespaceStreams", "eventsHandled", "eventually", "freePorts", "isInternal",
    "listDeadLetters", "readEnv", "readRuntimeConfig", "rpcError", "sampleValue", "seededRandom", "startInProcess", "startService",
    "startTestSystem", "testDatabaseUrl", "testDialects", "testNamespace", "violatedFields",
  ]);
  assert.deepEqual(Object.keys(launcher).sort(), ["createHost", "createLauncher", "ensureNats", "runService", "startMesh"]);
});
