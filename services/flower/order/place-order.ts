import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { decide, newId, refused, unavailable, type Client, type CompensatedCalls, type Repository } from "../../../mesh/index.js";
import { GetFlowerResponseSchema, type Flower, type StoreService } from "../../../gen/flower/v1/store_pb.js";
import { PaymentStatus, type PaymentService } from "../../../gen/payment/v1/payment_pb.js";
import { checkStock, placeOrder, priceOrder, type KnownFlower, type Order, type OrderEvent, type PlaceOrder } from "./domain.js";

const known = (f: Flower): KnownFlower => ({ id: f.id, name: f.name, price: { amount: f.price?.amount ?? 0n, currency: f.price?.currency ?? "" }, stock: f.stock });

/**
 * Steps 1-3 of the flower saga in one command: check stock with the store, pay, and place the
 * order with its OrderPlaced event. No payment, no order; and no payment kept without its order,
 * whichever process dies when (`payments`: compensated calls).
 */
export function createPlaceOrder(deps: {
  orders: Repository<Order, OrderEvent>; knownFlowers: Repository<KnownFlower>; payments: CompensatedCalls;
  store: Client<typeof StoreService>; payment: Client<typeof PaymentService>;
}) {
  // Fault isolation: with the store down, the last stock levels seen in its events decide.
  const knownFlower = async (id: string) => {
    let fromEvents = false;
    const { flower } = await deps.store.getFlower({ id }, {
      fallback: async (error) => {
        const remembered = await deps.knownFlowers.find(id);
        if (!remembered) throw unavailable(`the store is unreachable (${error.code === Code.Unavailable ? "unavailable" : Code[error.code]}) and no stock level is known for flower ${id}; try again shortly`, 5000);
        fromEvents = true;
        return create(GetFlowerResponseSchema, { flower: remembered });
      },
    });
    return { flower: known(flower!), fromEvents };
  };

  return async (command: PlaceOrder, paymentMethod: string): Promise<Order> => {
    const { flower, fromEvents } = await knownFlower(command.flowerId);
    const short = checkStock(flower, command.qty);
    if (short) throw refused(short.refused, short.code);

    const orderId = newId();
    // Paid and placed, or refunded: the payment is compensated (OrderAbandoned) unless the order is saved.
    const placed = await deps.payments.run(
      orderId,
      () => deps.payment.pay(
        { system: "flower", referenceId: orderId, amount: priceOrder(flower, command.qty), method: paymentMethod },
        { fallback: () => { throw unavailable("payment is unavailable right now; please pay later", 10_000); } },
      ),
      async (tx, { payment }) => {
        const decision = placeOrder(orderId, command, flower, payment!.id, new Date());
        await deps.orders.record(tx, decision, undefined);
        // Taken from the levels order believes in, so the next order sees them lowered.
        if (fromEvents) await deps.knownFlowers.apply(tx, flower.id, (k) => k && decide({ ...k, stock: k.stock - command.qty }));
        return decision;
      },
      // Declined: nothing was taken, so nothing is refunded.
      { refusal: ({ payment }) => (payment?.status === PaymentStatus.APPROVED ? undefined : refused(`payment declined: ${payment?.reason || "no reason given"}`, "PAYMENT_DECLINED")) },
    );
    return placed.state;
  };
}
