import type { ServiceImpl } from "@connectrpc/connect";
import { fieldChecks, isRefusal, refused, toMessage, type Repository, type Transact } from "../../../mesh/index.js";
import { StockSchema } from "../../../gen/coffee/v1/stock_pb.js";
import type { StockReservationService } from "../../../gen/coffee/v1/stock_reservation_pb.js";
import { reduce, type Stock, type StockEvent } from "./domain.js";
import { decideOver } from "./tables.js";
import { isMenuItemName } from "../menu.js";

// StockReservationService handlers: the warehouse's side of the kitchen's productions, for
// coffee-product only (an internal service: no REST path, not routed by the gateway).

const MAX_UNITS = 100_000;

/** Creates the handlers of the warehouse's internal reservation service. */
export function createStockReservationApi(transact: Transact, stocks: Repository<Stock, StockEvent>): ServiceImpl<typeof StockReservationService> {
  return {
    // The kitchen's reservation: one transaction over the stock and the order's reservation.
    async reduce(req) {
      fieldChecks()
        .required("orderId", req.orderId).maxLength("orderId", req.orderId, 64)
        .check(isMenuItemName(req.productName), "productName", "is required: a menu item such as Americano")
        .check(req.qty >= 1 && req.qty <= MAX_UNITS, "qty", `must be between 1 and ${MAX_UNITS}`)
        .throwIfInvalid();
      const outcome = await transact((tx) => decideOver(tx, req.productName, req.orderId, (stock, reservation) => reduce(stock, reservation, req, new Date())));
      if (isRefusal(outcome)) throw refused(outcome.refused, outcome.code);
      return { stock: toMessage(StockSchema, outcome.stock ?? (await stocks.get(req.productName))) };
    },
  };
}
