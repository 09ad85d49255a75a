import type { ServiceImpl } from "@connectrpc/connect";
import { fieldChecks, isRefusal, refused, toMessage, type Repository, type Transact } from "../../../mesh/index.js";
import { StockSchema, type StockService } from "../../../gen/coffee/v1/stock_pb.js";
import { addStock, reduce, type Stock, type StockEvent } from "./domain.js";
import { decideOver } from "./tables.js";

// StockService handlers (inbound adapter): each is its field rules, then one call.

const NAME = /^[\p{L}\p{N} _-]{1,64}$/u;
const MAX_RECEIPT = 100_000;
const message = (s: Stock) => toMessage(StockSchema, s);

/** Creates the warehouse's RPC handlers. */
export function createStockApi(transact: Transact, stocks: Repository<Stock, StockEvent>): ServiceImpl<typeof StockService> {
  return {
    async getStock(req) {
      fieldChecks().check(NAME.test(req.productName), "productName", "is required: a menu item such as Americano").throwIfInvalid();
      return { stock: message(await stocks.get(req.productName)) };
    },

    async listStocks(req) {
      fieldChecks().pageSize(req.pageSize).throwIfInvalid();
      const page = await stocks.page({ by: "createdAt", pageSize: req.pageSize, pageToken: req.pageToken });
      return { stocks: page.items.map(message), nextPageToken: page.nextPageToken };
    },

    // The kitchen's reservation: one transaction over the stock and the order's reservation.
    async reduce(req) {
      fieldChecks()
        .required("orderId", req.orderId).maxLength("orderId", req.orderId, 64)
        .check(NAME.test(req.productName), "productName", "is required: a menu item such as Americano")
        .check(req.qty >= 1 && req.qty <= MAX_RECEIPT, "qty", `must be between 1 and ${MAX_RECEIPT}`)
        .throwIfInvalid();
      const outcome = await transact((tx) => decideOver(tx, req.productName, req.orderId, (stock, reservation) => reduce(stock, reservation, req, new Date())));
      if (isRefusal(outcome)) throw refused(outcome.refused, outcome.code);
      return { stock: message(outcome.stock ?? (await stocks.get(req.productName))) };
    },

    async addStock(req) {
      fieldChecks()
        .check(NAME.test(req.productName), "productName", "is required: 1-64 letters, digits, spaces, _ or -")
        .check(req.qty >= 1 && req.qty <= MAX_RECEIPT, "qty", `must be between 1 and ${MAX_RECEIPT}`)
        .throwIfInvalid();
      return { stock: message(await stocks.decide(req.productName, (stock) => addStock(stock, req.productName, req.qty, new Date()))) };
    },
  };
}
