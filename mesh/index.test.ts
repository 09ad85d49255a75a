// The runtime's public API is what services may use; growing it is a decision, so it is pinned.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as mesh from "./index.js";

test("mesh/index.ts exports exactly the runtime's public API", () => {
  assert.deepEqual(Object.keys(mesh).sort(), [
    "ConfigError", "RetryLaterError", "addressVariable", "createLauncher", "createLogger", "currentContext", "defineEvent",
    "defineService", "deleteNamespaceStreams", "dependency", "emitEvents", "ensureNats", "eventually", "fieldChecks", "forUpdate",
    "forwardTo", "freePort", "freePorts", "invalidArgument", "isEvent", "listDeadLetters", "natsAnswers", "newId", "notFound", "readEnv", "refused",
    "routesOf", "runInContext", "runService", "runtimeVariables", "sampleValue", "serve", "startInProcess", "startService", "startTestSystem",
    "testDialects", "testNamespace", "unavailable",
  ]);
});
