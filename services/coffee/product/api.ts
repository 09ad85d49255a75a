import type { ServiceImpl } from "@connectrpc/connect";
import { domainEnum, fieldChecks, toMessage, unavailable, type Repository } from "../../../mesh/index.js";
import { ProductionSchema, ProductionStatus, ProductionStatusSchema, type ProductService } from "../../../gen/coffee/v1/product_pb.js";
import { andThen, produce, produceIfStarted, productionStatuses, startProduction, type Production, type ProductEvent } from "./domain.js";
import type { ReserveStock } from "./reserve-stock.js";
import type { KitchenMode } from "./service.js";

// ProductService handlers (inbound adapter): each is its field rules, then one call.

const statuses = domainEnum(ProductionStatusSchema, productionStatuses);
const message = (p: Production) => toMessage(ProductionSchema, p);
const idChecks = (id: string, field = "id") => fieldChecks().required(field, id).maxLength(field, id, 64);

/** Creates the kitchen's RPC handlers. */
export function createProductApi(productions: Repository<Production, ProductEvent>, reserveStock: ReserveStock, mode: KitchenMode): ServiceImpl<typeof ProductService> {
  return {
    async getProduction(req) {
      idChecks(req.id).throwIfInvalid();
      return { production: message(await productions.get({ id: req.id })) };
    },

    async listProductions(req) {
      const status = statuses.fromProto(req.status);
      idChecks(req.orderId || "-", "orderId")
        .check(req.status === ProductionStatus.UNSPECIFIED || status !== undefined, "status", "is not a known production status")
        .pageSize(req.pageSize)
        .throwIfInvalid();
      const page = await productions.page({ by: "requestedAt", where: { orderId: req.orderId || undefined, status }, pageSize: req.pageSize, pageToken: req.pageToken });
      return { productions: page.items.map(message), nextPageToken: page.nextPageToken };
    },

    // The barista starts a requested production (the kitchen does so itself unless KITCHEN_AUTO_START=false).
    async startProduction(req) {
      idChecks(req.id).throwIfInvalid();
      const found = await productions.get({ id: req.id });
      if (found.status !== "Requested") return { production: message(found) };
      const reservation = await reserveStock(found, (error) => {
        throw unavailable(`the warehouse cannot reserve the ingredients now (${error.rawMessage}); try again shortly`, 5000);
      });
      const now = new Date();
      return {
        production: message(await productions.change(found.orderId, (p) => {
          const started = startProduction(p, reservation, now);
          return mode.autoProduce ? andThen(started, (s) => produceIfStarted(s, now)) : started;
        })),
      };
    },

    async produce(req) {
      idChecks(req.id).throwIfInvalid();
      const found = await productions.get({ id: req.id });
      return { production: message(await productions.change(found.orderId, (p) => produce(p, new Date()))) };
    },
  };
}
