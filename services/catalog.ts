import type { CatalogEntry } from "../mesh/index.js";

/**
 * Every deployable service: the one list the launcher, the tests and the Helm chart read.
 * Ports are for local development (the seeds' numbers where they had one); in a cluster
 * every service listens on the same pair.
 */
export const catalog: readonly CatalogEntry[] = [
  { id: "payment", system: "payment", httpPort: 8084, grpcPort: 9084, dependsOn: [], main: "services/payment/main.ts" },
  { id: "notification", system: "notification", httpPort: 8085, grpcPort: 9085, dependsOn: [], main: "services/notification/main.ts" },
  { id: "flower-order", system: "flower", httpPort: 8082, grpcPort: 9082, dependsOn: ["flower-store", "payment"], main: "services/flower/order/main.ts" },
  { id: "flower-store", system: "flower", httpPort: 8083, grpcPort: 9083, dependsOn: [], main: "services/flower/store/main.ts" },
  { id: "flower-delivery", system: "flower", httpPort: 8081, grpcPort: 9081, dependsOn: ["flower-order"], main: "services/flower/delivery/main.ts" },
];
