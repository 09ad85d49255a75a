import { on, policy, type Policy } from "../../../mesh/index.js";
import { ProductCanceled } from "../events.js";
import { restore } from "./domain.js";
import { decideOver } from "./tables.js";

// Reactions of the warehouse to the kitchen's events (inbound adapter).

/** Creates the warehouse's policies. */
export function createStockPolicies(): Policy[] {
  return [
    // Step 7: a cancelled production gives back what was taken for it (or blocks a late reservation).
    policy("restoreStockWhenProductCanceled", on(ProductCanceled, async ({ message: m }, tx) => {
      await decideOver(tx, m.productName, m.orderId, (stock, reservation) => restore(stock, reservation, m, new Date()));
    })),
  ];
}
