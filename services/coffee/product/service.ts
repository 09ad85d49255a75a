import { defineService, dependency, serve } from "../../../mesh/index.js";
import { ProductService } from "../../../gen/coffee/v1/product_pb.js";
import { ProductionCancelService } from "../../../gen/coffee/v1/production_cancel_pb.js";
import { StockReservationService } from "../../../gen/coffee/v1/stock_reservation_pb.js";
import { createProductApi } from "./api.js";
import { createProductionCancelApi } from "./cancel-api.js";
import { createProductPolicies } from "./policies.js";
import { createReserveStock } from "./reserve-stock.js";
import { productions } from "./tables.js";

/** Whether the kitchen starts (reserves stock for) and finishes each production itself, or waits for the barista. */
export interface KitchenMode {
  autoStart: boolean;
  autoProduce: boolean;
}

/** coffee's product: the kitchen, making every paid order with ingredients reserved from stock. */
export const productContext = defineService({
  id: "coffee-product",
  port: 8102,
  serves: [ProductService, ProductionCancelService],
  dependencies: { stock: dependency("coffee-stock", StockReservationService) },
  tables: [productions],
  config: (env): KitchenMode => ({
    // true: a production starts as its order arrives; false: it waits for StartProduction.
    autoStart: env.bool("KITCHEN_AUTO_START", true),
    // true: a started production is made at once (Produced); false: it waits for the barista's Produce.
    autoProduce: env.bool("KITCHEN_AUTO_PRODUCE", true),
  }),
  start({ repository, clients, config }) {
    const rows = repository(productions);
    const reserveStock = createReserveStock(clients.stock);
    return {
      rpc: [serve(ProductService, createProductApi(rows, reserveStock, config)), serve(ProductionCancelService, createProductionCancelApi(rows))],
      policies: createProductPolicies(rows, reserveStock, config),
    };
  },
});
