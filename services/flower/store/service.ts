import { defineService, serve } from "../../../mesh/index.js";
import { StoreService } from "../../../gen/flower/v1/store_pb.js";
import { createStoreApi } from "./api.js";
import { addFlower, demoCatalogue, isRefusal, type WrapMode } from "./domain.js";
import { createStorePolicies } from "./policies.js";
import * as store from "./store.js";

/** flower's store: the owner's catalogue and stock, and the orders that reach the shop. */
export const storeService = defineService({
  id: "flower-store",
  streams: ["flower"],
  migrations: store.migrations,
  config: (env) => ({
    // auto: delivery orders are wrapped as they arrive; manual: they wait for WrapFlowers.
    wrapMode: env.oneOf("STORE_WRAP_MODE", ["auto", "manual"] as const, "auto") as WrapMode,
    demoCatalogue: env.bool("STORE_DEMO_CATALOGUE", true),
  }),
  async start({ db, transact, config, logger }) {
    if (config.demoCatalogue && (await store.listFlowers(db)).length === 0) {
      await transact(async (tx) => {
        for (const flower of demoCatalogue) {
          const decision = addFlower(flower, undefined); // announces the stock levels to the order context
          if (!isRefusal(decision)) await store.saveDecision(tx, decision, {});
        }
      }).catch((error) => logger.info("demo catalogue not added (another replica did)", { error: String(error) }));
    }
    return {
      rpc: [serve(StoreService, createStoreApi(db, transact))],
      policies: createStorePolicies(config.wrapMode),
    };
  },
});
