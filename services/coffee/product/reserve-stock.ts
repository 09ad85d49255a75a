import { Code, ConnectError } from "@connectrpc/connect";
import type { Client } from "../../../mesh/index.js";
import { refuse } from "../../../mesh/kernel/index.js";
import type { StockReservationService } from "../../../gen/coffee/v1/stock_reservation_pb.js";
import { ErrorInfoSchema } from "../../../gen/google/rpc/error_details_pb.js";
import type { Production, Reservation } from "./domain.js";

/**
 * Step 3: the kitchen reserves a production's ingredients from the warehouse, synchronously and
 * through the client's breaker (the warehouse's internal StockReservationService.Reduce,
 * idempotent per order, so a retry never takes twice). The warehouse's refusal (not enough stock)
 * is an answer; an unreachable warehouse is the caller's `unreachable` (retry the event later, or
 * tell the barista to try again).
 */
export function createReserveStock(stock: Client<typeof StockReservationService>) {
  return async (p: Pick<Production, "orderId" | "productName" | "qty">, unreachable: (error: ConnectError) => never): Promise<Reservation> => {
    try {
      await stock.reduce({ orderId: p.orderId, productName: p.productName, qty: p.qty }, { fallback: unreachable });
      return { reserved: true };
    } catch (error) {
      if (!(error instanceof ConnectError) || error.code !== Code.FailedPrecondition) throw error;
      const [info] = error.findDetails(ErrorInfoSchema);
      return { reserved: false, refusal: refuse(info?.reason ?? "OUT_OF_STOCK", error.rawMessage) };
    }
  };
}

export type ReserveStock = ReturnType<typeof createReserveStock>;
