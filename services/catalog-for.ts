// The catalog as one service's process needs it (services/run.ts, the container image's entry point):
// loading services/catalog.ts would load every system's code into every process. A system's service
// needs its own system's entries and those of the shared services it calls; payment and notification
// need each system's registration (what it refunds, what it tells its customers), not its contexts.
// services/catalog-for.test.ts holds every entry here to the full catalog's.
import { catalogOf, type CatalogEntry, type System } from "../mesh/index.js";
import type { NotificationRegistration } from "./notification/plug-in.js";
import type { PaymentRegistration } from "./payment/plug-in.js";

/** The systems' folder names (services/<name>/system.ts exports `<name>`, registration.ts `registration`); catalog.ts lists the same. */
export const systemNames = ["flower", "resort", "coffee", "rental", "cleaning"] as const;

type Registration = PaymentRegistration & NotificationRegistration;
type Shared = (systems: readonly Registration[]) => System["contexts"][number];

// The shared services a system's service may call, made with the registrations given.
const shared: Record<string, () => Promise<Shared>> = {
  payment: async () => (await import("./payment/service.js")).createPaymentService,
  notification: async () => (await import("./notification/service.js")).createNotificationService,
};

const systemOf = async (name: string): Promise<System & Registration> => (await import(`./${name}/system.js`))[name];
const registrationOf = async (name: string): Promise<Registration> => (await import(`./${name}/registration.js`)).registration;
const fullCatalog = async (): Promise<readonly CatalogEntry[]> => (await import("./catalog.js")).catalog;

/**
 * The catalog entries the service `id` needs to run: its own, and those of every service it calls
 * (their ids, ports and protobuf services, for its clients), with the same ports and protobuf services
 * as in services/catalog.ts. The gateway routes to every service: it gets the full catalog, as does an
 * id nobody knows (runService then lists the ids that exist).
 */
export async function catalogFor(id: string): Promise<readonly CatalogEntry[]> {
  const system = systemNames.find((name) => id.startsWith(`${name}-`));
  if (system) {
    const own = await systemOf(system);
    const entries = catalogOf([own]);
    const entry = entries.find((e) => e.id === id);
    if (!entry) return fullCatalog();
    // payment's entry with this system's refunds only: its id, ports and protobuf services are what the clients need.
    const others = await Promise.all(entry.dependsOn.filter((dep) => !entries.some((e) => e.id === dep)).map(async (dep) => {
      const create = shared[dep];
      if (!create) throw new Error(`${id} calls ${dep}, which services/catalog-for.ts does not know how to load`);
      return { name: dep, contexts: [(await create())([own])] };
    }));
    return catalogOf([...others, own]);
  }
  if (shared[id]) {
    const registrations = await Promise.all(systemNames.map(registrationOf));
    return catalogOf([{ name: id, contexts: [(await shared[id]())(registrations)] }]);
  }
  return fullCatalog();
}
