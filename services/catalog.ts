import { DeliveryService } from "../gen/flower/v1/delivery_pb.js";
import { OrderService } from "../gen/flower/v1/order_pb.js";
import { StoreService } from "../gen/flower/v1/store_pb.js";
import { NotificationService } from "../gen/notification/v1/notification_pb.js";
import { PaymentService } from "../gen/payment/v1/payment_pb.js";
import type { CatalogEntry } from "../mesh/index.js";

// The services of the five systems and the two shared ones.
const services: readonly CatalogEntry[] = [
  { id: "payment", system: "payment", httpPort: 8084, grpcPort: 9084, serves: [PaymentService], dependsOn: [], main: "services/payment/main.ts" },
  { id: "notification", system: "notification", httpPort: 8085, grpcPort: 9085, serves: [NotificationService], dependsOn: [], main: "services/notification/main.ts" },
  { id: "flower-order", system: "flower", httpPort: 8082, grpcPort: 9082, serves: [OrderService], dependsOn: ["flower-store", "payment"], main: "services/flower/order/main.ts" },
  { id: "flower-store", system: "flower", httpPort: 8083, grpcPort: 9083, serves: [StoreService], dependsOn: [], main: "services/flower/store/main.ts" },
  { id: "flower-delivery", system: "flower", httpPort: 8081, grpcPort: 9081, serves: [DeliveryService], dependsOn: ["flower-order"], main: "services/flower/delivery/main.ts" },
];

/** The seeds' port-8088 gateway: serves every service above by forwarding to it, so its routes follow this list. */
const gateway: CatalogEntry = {
  id: "gateway",
  system: "gateway",
  httpPort: 8088,
  grpcPort: 9088,
  serves: services.flatMap((e) => e.serves),
  dependsOn: services.map((e) => e.id),
  main: "services/gateway/main.ts",
};

/**
 * Every deployable service: the one list the launcher, the tests and the Helm chart read.
 * Ports are for local development (the seeds' numbers where they had one); in a cluster
 * every service listens on the same pair.
 */
export const catalog: readonly CatalogEntry[] = [...services, gateway];
