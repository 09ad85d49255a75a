import { catalogOf, type CatalogEntry } from "../mesh/index.js";
import { cleaning } from "./cleaning/system.js";
import { coffee } from "./coffee/system.js";
import { flower } from "./flower/system.js";
import { createGateway } from "./gateway/service.js";
import { createNotificationService } from "./notification/service.js";
import { createPaymentService } from "./payment/service.js";
import { rental } from "./rental/system.js";
import { resort } from "./resort/system.js";

/** Every system: adding one is its folder, its protos, and its name here. */
export const systems = [flower, resort, coffee, rental, cleaning] as const;

const services = catalogOf([
  { name: "payment", contexts: [createPaymentService(systems)] },
  { name: "notification", contexts: [createNotificationService(systems)] },
  ...systems,
]);

/**
 * Every deployable service: the one list the launcher, the gateway, the tests and the Helm chart
 * read, made from the services' own definitions. Ports are for local development (the seeds'
 * numbers where they had one); in a cluster every service listens on the same pair.
 */
export const catalog: readonly CatalogEntry[] = [...services, ...catalogOf([{ name: "gateway", contexts: [createGateway(services)] }])];
