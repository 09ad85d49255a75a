import { defineService, serve } from "../../../mesh/index.js";
import { StockService } from "../../../gen/coffee/v1/stock_pb.js";
import { StockReservationService } from "../../../gen/coffee/v1/stock_reservation_pb.js";
import { INITIAL_STOCK, menu } from "../menu.js";
import { createStockApi } from "./api.js";
import { initialStock } from "./domain.js";
import { createStockPolicies } from "./policies.js";
import { createStockReservationApi } from "./reservation-api.js";
import { reservations, stocks } from "./tables.js";

/** coffee's stock: the ingredients warehouse. */
export const stockContext = defineService({
  id: "coffee-stock",
  port: 8103,
  serves: [StockService, StockReservationService],
  tables: [stocks, reservations],
  async start({ transact, repository, logger }) {
    const rows = repository(stocks);
    // Every menu item starts with 100 units (the seed's warehouse size); items already there keep theirs.
    await transact(async (tx) => {
      const now = new Date();
      for (const productName of menu.keys()) if (!(await stocks.find(tx.db, productName))) await stocks.insert(tx.db, initialStock(productName, INITIAL_STOCK, now));
    }).catch((error) => logger.info("initial stock not added (another replica did)", { error: String(error) }));
    return {
      rpc: [serve(StockService, createStockApi(rows)), serve(StockReservationService, createStockReservationApi(transact, rows))],
      policies: createStockPolicies(),
    };
  },
});
