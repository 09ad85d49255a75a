// The runtime's API for tests: services in this process or as processes, against the real
// NATS and databases, and the small helpers every test file would otherwise write again.

export { startInProcess } from "./in-process.js";
export type { InProcessService, SeenEvent } from "./in-process.js";
export { startTestSystem } from "./test-system.js";
export type { TestSystem, TestSystemOptions } from "./test-system.js";
export { testDatabaseUrl, testDialects } from "./test-database.js";
export { deleteNamespaceStreams, testNamespace } from "./test-namespace.js";
export { freePorts } from "./free-port.js";
export { eventually } from "./eventually.js";
export { seededRandom } from "./seeded-random.js";
export { daysAhead } from "./days.js";
export type { SeededRandom } from "./seeded-random.js";
export { eventsHandled } from "./events-handled.js";
export { codeOf, curl, rpcError, violatedFields } from "./rpc-outcomes.js";
export { sampleValue } from "./metric-samples.js";

export { addressVariable } from "../service/catalog-entry.js";
export { isInternal } from "../proto/visibility.js";
export { startService } from "../service/start-service.js";
export type { RunningService } from "../service/start-service.js";
export { readEnv } from "../config/env.js";
export { readRuntimeConfig } from "../config/runtime-config.js";
export { createLogger } from "../log/logger.js";
export { listDeadLetters } from "../events/dead-letters.js";
