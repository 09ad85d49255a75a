import { defineService, isRefusal, serve } from "../../../mesh/index.js";
import { StoreService } from "../../../gen/flower/v1/store_pb.js";
import { createStoreApi } from "./api.js";
import { addFlower, demoCatalogue, type WrapMode } from "./domain.js";
import { createStorePolicies } from "./policies.js";
import { flowers, storeOrders } from "./tables.js";

/** flower's store: the owner's catalogue and stock, and the orders that reach the shop. */
export const storeContext = defineService({
  id: "flower-store",
  port: 8083,
  serves: [StoreService],
  tables: [flowers, storeOrders],
  config: (env) => ({
    // auto: delivery orders are wrapped as they arrive; manual: they wait for WrapFlowers.
    wrapMode: env.oneOf("STORE_WRAP_MODE", ["auto", "manual"] as const, "auto") as WrapMode,
    demoCatalogue: env.bool("STORE_DEMO_CATALOGUE", true),
  }),
  async start({ transact, repository, config, logger }) {
    const [flowerRows, orderRows] = [repository(flowers), repository(storeOrders)];
    if (config.demoCatalogue && (await flowerRows.list({ limit: 1 })).length === 0) {
      // Added with their StockChanged events, which tell the order context the stock levels.
      await transact(async (tx) => {
        for (const flower of demoCatalogue) {
          const added = addFlower(flower, undefined);
          if (!isRefusal(added)) await flowerRows.record(tx, added, undefined);
        }
      }).catch((error) => logger.info("demo catalogue not added (another replica did)", { error: String(error) }));
    }
    return {
      rpc: [serve(StoreService, createStoreApi(flowerRows, orderRows))],
      policies: createStorePolicies(flowerRows, orderRows, config.wrapMode),
    };
  },
});
