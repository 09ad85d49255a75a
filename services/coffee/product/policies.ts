import { newId, on, policy, RetryLaterError, type Policy, type Repository } from "../../../mesh/index.js";
import { Ordered } from "../events.js";
import { andThen, produceIfStarted, requestProduction, startProduction, type Production, type ProductEvent, type Reservation } from "./domain.js";
import type { ReserveStock } from "./reserve-stock.js";
import type { KitchenMode } from "./service.js";

// Reactions of the kitchen to the order context's events (inbound adapter).

/** Creates the kitchen's policies; `mode` says whether it starts and finishes productions itself. */
export function createProductPolicies(productions: Repository<Production, ProductEvent>, reserveStock: ReserveStock, mode: KitchenMode): Policy[] {
  return [
    policy("startProductionWhenOrdered", on(Ordered, {
      // The reservation is asked before the transaction opens, so no lock is held across the call.
      prepare: async ({ message: m }): Promise<Reservation | undefined> => {
        if (!mode.autoStart) return undefined;
        const existing = await productions.find(m.orderId);
        if (existing && existing.status !== "Requested") return undefined;
        return reserveStock(m, (error) => {
          throw new RetryLaterError(`the warehouse is unavailable (${error.rawMessage}); the production starts when it answers`, 2000);
        });
      },
      handle: async ({ message: m }, tx, reservation) => {
        const now = new Date();
        await productions.apply(tx, m.orderId, (existing) => {
          let decision = requestProduction(existing, m, newId(), now);
          if (reservation) decision = andThen(decision, (p) => startProduction(p, reservation, now));
          if (mode.autoProduce) decision = andThen(decision, (p) => produceIfStarted(p, now));
          return decision;
        });
      },
    })),
  ];
}
