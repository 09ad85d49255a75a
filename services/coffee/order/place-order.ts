import { newId, refused, unavailable, type Client, type CompensatedCalls, type Repository } from "../../../mesh/index.js";
import { PaymentStatus, type PaymentService } from "../../../gen/payment/v1/payment_pb.js";
import { isRefusal, times } from "../../../mesh/kernel/index.js";
import { menu } from "../menu.js";
import { placeOrder, priceOf, type Order, type OrderEvent, type PlaceOrder } from "./domain.js";

/**
 * Step 1 of the coffee saga in one command: price the order from the menu, pay, and take it with
 * its Ordered event. No payment, no order; and no payment kept without its order, whichever
 * process dies when (`payments`: compensated calls, OrderAbandoned refunds).
 */
export function createPlaceOrder(deps: { orders: Repository<Order, OrderEvent>; payments: CompensatedCalls; payment: Client<typeof PaymentService> }) {
  return async (command: PlaceOrder, paymentMethod: string): Promise<Order> => {
    const price = priceOf(menu, command.productName);
    if (isRefusal(price)) throw refused(price.refused, price.code);
    const orderId = newId();
    const taken = await deps.payments.run(
      orderId,
      () => deps.payment.pay(
        { system: "coffee", referenceId: orderId, amount: times(price, command.qty), method: paymentMethod },
        { fallback: () => { throw unavailable("payment is unavailable right now; please pay later", 10_000); } },
      ),
      async (tx, { payment }) => {
        const decision = placeOrder(orderId, command, price, payment!.id, new Date());
        await deps.orders.record(tx, decision, undefined);
        return decision;
      },
      // Declined: nothing was taken, so nothing is refunded.
      { refusal: ({ payment }) => (payment?.status === PaymentStatus.APPROVED ? undefined : refused(`payment declined: ${payment?.reason || "no reason given"}`, "PAYMENT_DECLINED")) },
    );
    return taken.state;
  };
}
