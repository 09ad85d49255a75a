// The runtime's whole public API: services import from here and nowhere else in mesh/.

export { readEnv, ConfigError } from "./config/env.js";
export type { EnvReader } from "./config/env.js";
export { runtimeVariables } from "./config/runtime-config.js";
export type { RuntimeConfig } from "./config/runtime-config.js";

export { currentContext, runInContext } from "./context/call-context.js";
export type { CallContext } from "./context/call-context.js";

export { invalidArgument, notFound, refused, unavailable } from "./errors/rpc-errors.js";
export type { FieldViolation } from "./errors/rpc-errors.js";
export { fieldChecks } from "./errors/field-checks.js";
export type { FieldChecks } from "./errors/field-checks.js";

export { newId } from "./ids.js";
export { createLogger } from "./log/logger.js";
export type { Logger, LogLevel } from "./log/logger.js";

export type { Migration } from "./db/migration.js";
export { forUpdate } from "./db/row-lock.js";
export { defineEvent, isEvent } from "./events/event-type.js";
export type { EventType, ReceivedEvent } from "./events/event-type.js";
export type { Transaction, Transact, EmitOptions } from "./events/transaction.js";
export { emitEvents } from "./events/emit-events.js";
export { RetryLaterError } from "./events/policy.js";
export type { Policy } from "./events/policy.js";
export { listDeadLetters } from "./events/dead-letters.js";

export type { Client, CallOptions } from "./rpc/client.js";
export { forwardTo, routesOf } from "./gateway/forward.js";

export { addressVariable } from "./service/catalog-entry.js";
export type { CatalogEntry } from "./service/catalog-entry.js";
export { defineService, dependency, serve } from "./service/define-service.js";
export type { ServiceDefinition, ServiceParts, ServicePorts, Served, Background, Dependency } from "./service/define-service.js";
export { startService } from "./service/start-service.js";
export type { RunningService, StartServiceOptions } from "./service/start-service.js";
export { runService } from "./service/run-service.js";

export { createLauncher } from "./launcher/launcher.js";
export type { Launcher, LauncherOptions, StartOptions } from "./launcher/launcher.js";
export { ensureNats, natsAnswers } from "./launcher/ensure-nats.js";

// For tests of services and systems.
export { startTestSystem } from "./testing/test-system.js";
export type { TestSystem, TestSystemOptions } from "./testing/test-system.js";
export { eventually } from "./testing/eventually.js";
export { sampleValue } from "./testing/metric-samples.js";
export { freePort, freePorts } from "./testing/free-port.js";
export { testNamespace, deleteNamespaceStreams } from "./testing/test-namespace.js";
export { startInProcess } from "./testing/in-process.js";
export { testDialects } from "./testing/test-database.js";
export type { InProcessService, SeenEvent } from "./testing/in-process.js";
