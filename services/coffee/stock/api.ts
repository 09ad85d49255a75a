import type { ServiceImpl } from "@connectrpc/connect";
import { fieldChecks, toMessage, type Repository } from "../../../mesh/index.js";
import { StockSchema, type StockService } from "../../../gen/coffee/v1/stock_pb.js";
import { addStock, type Stock, type StockEvent } from "./domain.js";
import { isMenuItemName } from "../menu.js";

// StockService handlers (inbound adapter): each is its field rules, then one call.

const MAX_RECEIPT = 100_000;
const message = (s: Stock) => toMessage(StockSchema, s);

/** Creates the warehouse's RPC handlers. */
export function createStockApi(stocks: Repository<Stock, StockEvent>): ServiceImpl<typeof StockService> {
  return {
    async getStock(req) {
      fieldChecks().check(isMenuItemName(req.productName), "productName", "is required: a menu item such as Americano").throwIfInvalid();
      return { stock: message(await stocks.get(req.productName)) };
    },

    async listStocks(req) {
      fieldChecks().pageSize(req.pageSize).throwIfInvalid();
      const page = await stocks.page({ by: "createdAt", pageSize: req.pageSize, pageToken: req.pageToken });
      return { stocks: page.items.map(message), nextPageToken: page.nextPageToken };
    },

    async addStock(req) {
      fieldChecks()
        .check(isMenuItemName(req.productName), "productName", "is required: 1-64 letters, digits, spaces, _ or -")
        .check(req.qty >= 1 && req.qty <= MAX_RECEIPT, "qty", `must be between 1 and ${MAX_RECEIPT}`)
        .throwIfInvalid();
      return { stock: message(await stocks.decide(req.productName, (stock) => addStock(stock, req.productName, req.qty, new Date()))) };
    },
  };
}
