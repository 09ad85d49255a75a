// Test support: one service started in this process against real JetStream and a real
// database (a temp SQLite file or a throw-away MariaDB database), with helpers to publish its
// input events and watch its output events. Not used by the service itself.
import { create, fromBinary, toBinary, type DescMessage, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import type { Transport } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { connect, headers, type Subscription } from "nats";
import { contextHeaderNames } from "../context/call-context.js";
import { eventHeaderNames } from "../events/event-headers.js";
import type { EventType } from "../events/event-type.js";
import { newId } from "../ids.js";
import type { CatalogEntry } from "../service/catalog-entry.js";
import type { Dependency, ServiceDefinition } from "../service/define-service.js";
import { startService, type RunningService } from "../service/start-service.js";
import { testDatabaseUrl } from "./test-database.js";
import { deleteNamespaceStreams, testNamespace } from "./test-namespace.js";

/** An event seen on its subject: its envelope headers and decoded message. */
export interface SeenEvent<D extends DescMessage> {
  id: string;
  correlationId: string;
  businessKey: string;
  message: MessageShape<D>;
}

/** A service running in this test process, with its own event namespace and database. */
export interface InProcessService {
  running: RunningService;
  namespace: string;
  /** A gRPC transport to the service's gRPC port. */
  transport: Transport;
  /** Every log line the service wrote, for a failing test to show. */
  logs: string[];
  /** Publishes an event as another service's relay would; returns its id. */
  publish<D extends DescMessage>(type: EventType<D>, data: MessageInitShape<D>, options?: { id?: string; correlationId?: string }): Promise<string>;
  /** Starts collecting the events of `type` the service publishes from now on. */
  watch<D extends DescMessage>(type: EventType<D>): SeenEvent<D>[];
  /** Stops the service and deletes its streams and database. */
  stop(): Promise<void>;
  /** Stops the service as a crash or an outage would, keeping its database. */
  pause(): Promise<void>;
  /** Starts it again after pause(), on the same ports and database. */
  resume(): Promise<void>;
}

const natsUrl = process.env.NATS_URL || "nats://127.0.0.1:4222";
/** Starts `definition` on ports chosen by the system, on a fresh database of `dialect`. */
export async function startInProcess<C, D extends Record<string, Dependency>>(
  definition: ServiceDefinition<C, D>,
  catalog: readonly CatalogEntry[],
  dialect: "sqlite" | "mysql",
  env: Record<string, string> = {},
  /** Share one namespace between the services of a system started side by side; its owner deletes its streams. */
  sharedNamespace?: string,
): Promise<InProcessService> {
  const namespace = sharedNamespace ?? testNamespace();
  const database = await testDatabaseUrl(dialect);
  const logs: string[] = [];
  const nc = await connect({ servers: natsUrl });
  const subscriptions: Subscription[] = [];
  let running: RunningService | undefined;
  const stop = async () => {
    await running?.stop();
    for (const s of subscriptions) s.unsubscribe();
    await nc.drain();
    if (!sharedNamespace) await deleteNamespaceStreams(natsUrl, namespace).catch(() => {});
    await database.drop();
  };
  const boot = (ports = { httpPort: 0, grpcPort: 0 }) => startService(definition, {
    catalog,
    write: (line) => logs.push(line),
    env: {
      ...process.env, HOST: "127.0.0.1", NATS_URL: natsUrl, EVENT_NAMESPACE: namespace, DATABASE_URL: database.url, ...env,
      HTTP_PORT: String(ports.httpPort), GRPC_PORT: String(ports.grpcPort),
    },
  });
  try {
    running = await boot();
  } catch (error) {
    await stop();
    throw error;
  }
  const js = nc.jetstream();
  const service: InProcessService = {
    running,
    namespace,
    logs,
    transport: createGrpcTransport({ baseUrl: `http://127.0.0.1:${running.grpcPort}` }),
    async publish(type, data, options = {}) {
      const id = options.id ?? newId();
      const message = create(type.schema, data);
      const h = headers();
      h.set(eventHeaderNames.eventType, type.schema.typeName);
      h.set(eventHeaderNames.occurredAt, new Date().toISOString());
      h.set(contextHeaderNames.correlationId, options.correlationId ?? id);
      h.set(eventHeaderNames.businessKey, type.keyOf(message));
      await js.publish(`${namespace}.${type.subject}`, toBinary(type.schema, message), { msgID: id, headers: h });
      return id;
    },
    watch<D extends DescMessage>(type: EventType<D>) {
      const seen: SeenEvent<D>[] = [];
      const subscription = nc.subscribe(`${namespace}.${type.subject}`, {
        callback: (error, msg) => {
          if (error) return;
          seen.push({
            id: msg.headers?.get(eventHeaderNames.messageId) ?? "",
            correlationId: msg.headers?.get(contextHeaderNames.correlationId) ?? "",
            businessKey: msg.headers?.get(eventHeaderNames.businessKey) ?? "",
            message: fromBinary(type.schema, msg.data),
          });
        },
      });
      subscriptions.push(subscription);
      return seen;
    },
    stop,
    async pause() {
      await service.running.stop();
    },
    async resume() {
      // Same ports, so the services that call it find it again; same database.
      service.running = running = await boot({ httpPort: service.running.httpPort, grpcPort: service.running.grpcPort });
    },
  };
  return service;
}
