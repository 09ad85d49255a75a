import { refused, unavailable, type Client, type Repository } from "../../../mesh/index.js";
import type { ProductionCancelService } from "../../../gen/coffee/v1/production_cancel_pb.js";
import { cancelRefusal, confirmCancel, type Order, type OrderEvent } from "./domain.js";

/**
 * Step 6-7: the customer cancels an order whose production has not started. The kitchen holds the
 * work, so it decides, synchronously (as the seed asks product, through its internal
 * ProductionCancelService) and in its own transaction against starting it: refused once started
 * (FAILED_PRECONDITION, passed on as it came). Confirmed: the order is cancelled here (OrderCanceled
 * → refund). Should this process die between the two, the kitchen's ProductCanceled cancels the
 * order all the same (policies.ts). The kitchen is asked even when order has seen production
 * start, so that its refusal reaches my page and the customer. The menu item goes along: a cancel
 * that reaches the kitchen before the order does still tells the warehouse which stock it concerns.
 */
export function createCancelOrder(deps: { orders: Repository<Order, OrderEvent>; product: Client<typeof ProductionCancelService> }) {
  return async (id: string, reason: string): Promise<Order> => {
    const order = await deps.orders.get(id);
    if (order.status === "Canceled") return order;
    await deps.product.cancelProduction({ orderId: id, reason, productName: order.productName }, {
      fallback: (error) => {
        // What order has seen started is refused without the kitchen; anything else needs its word.
        const refusal = cancelRefusal(order);
        if (refusal) throw refused(refusal.refused, refusal.code);
        throw unavailable(`the kitchen cannot be asked whether production started (${error.rawMessage}); nothing was cancelled; try again shortly`, 5000);
      },
    });
    return deps.orders.change(id, (o) => confirmCancel(o, reason, new Date()));
  };
}
