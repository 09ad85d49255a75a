// The runtime's API for service code (a context's wiring and adapters): services import from
// here, domain files from ./kernel/index.js, tests from ./testing/index.js, the entry points
// (npm start, the image's run) from ./launcher/index.js.

export { decide, formatMoney, further, isRefusal } from "./kernel/index.js";
export type { Decision, Money, Outcome, Refusal } from "./kernel/index.js";

export type { EnvReader } from "./config/env.js";

export { fieldChecks } from "./errors/field-checks.js";
export type { FieldChecks } from "./errors/field-checks.js";
export { refused, unavailable } from "./errors/rpc-errors.js";
export { newId } from "./ids.js";
export type { Logger } from "./log/logger.js";
export { currentCorrelationId } from "./context/call-context.js";

export { bigint, bool, int, json, money, text, timestamp } from "./db/columns.js";
export type { Column } from "./db/columns.js";
export { table } from "./db/table.js";
export type { Columns, ListQuery, PageQuery, Table, Where } from "./db/table.js";
export type { Page, PageRequest } from "./db/page.js";
export type { Migration } from "./db/migration.js";

export { defineEvent } from "./events/event-type.js";
export type { EventType, ReceivedEvent } from "./events/event-type.js";
export { emitEvents, eventsOf } from "./events/domain-events.js";
export { cancelAnswers } from "./events/cancel-answers.js";
export type { EventRoute, EventSet } from "./events/domain-events.js";
export { on, policy, RetryLaterError } from "./events/policy.js";
export type { EventHandler, Policy } from "./events/policy.js";
export type { Transact, Transaction } from "./events/transaction.js";

export { domainEnum, toMessage } from "./proto/domain-form.js";
export type { DomainEnum, DomainForm } from "./proto/domain-form.js";

export type { CallOptions, Client } from "./rpc/client.js";
export { forwardTo, routesOf } from "./gateway/forward.js";

export { catalogOf } from "./service/catalog-entry.js";
export type { CatalogEntry, System } from "./service/catalog-entry.js";
export { defineService, dependency, serve } from "./service/define-service.js";
export { compensatedCalls, pendingCalls, pendingCallTimeout } from "./service/compensated-calls.js";
export { wasNeverSent } from "./rpc/never-sent.js";
export type { CompensatedCalls } from "./service/compensated-calls.js";
export type { Background, Dependency, Served, ServiceDefinition, ServiceParts, ServicePorts } from "./service/define-service.js";
export type { Repository } from "./service/repository.js";
export { stepsTable, viewSteps } from "./views/view-steps.js";
export type { ViewStep, ViewSteps } from "./views/view-steps.js";
