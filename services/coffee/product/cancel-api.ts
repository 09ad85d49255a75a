import type { ServiceImpl } from "@connectrpc/connect";
import { fieldChecks, newId, refused, toMessage, type Repository } from "../../../mesh/index.js";
import { ProductionSchema } from "../../../gen/coffee/v1/product_pb.js";
import type { ProductionCancelService } from "../../../gen/coffee/v1/production_cancel_pb.js";
import { alreadyStarted, cancelIsRefused, cancelProduction, type Production, type ProductEvent } from "./domain.js";
import { isMenuItemName } from "../menu.js";

// ProductionCancelService handlers: the kitchen's side of the customer's cancel, for coffee-order
// only (an internal service: no REST path, not routed by the gateway).

/** Creates the handlers of the kitchen's internal cancel service. */
export function createProductionCancelApi(productions: Repository<Production, ProductEvent>): ServiceImpl<typeof ProductionCancelService> {
  return {
    // The order context asks; the kitchen decides against starting, in this one transaction.
    async cancelProduction(req) {
      fieldChecks()
        .required("orderId", req.orderId).maxLength("orderId", req.orderId, 64)
        .maxLength("reason", req.reason, 300)
        .check(isMenuItemName(req.productName), "productName", "is required: the order's menu item, such as Americano")
        .throwIfInvalid();
      const request = { orderId: req.orderId, reason: req.reason || "cancelled by the customer", productName: req.productName };
      const p = await productions.decide(req.orderId, (existing) => cancelProduction(existing, request, newId(), new Date()));
      if (cancelIsRefused(p)) {
        const refusal = alreadyStarted(p.orderId);
        throw refused(refusal.refused, refusal.code);
      }
      return { production: toMessage(ProductionSchema, p) };
    },
  };
}
