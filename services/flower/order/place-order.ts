import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { decide, newId, refused, unavailable, type Client, type Logger, type Repository, type Transact } from "../../../mesh/index.js";
import { GetFlowerResponseSchema, type Flower, type StoreService } from "../../../gen/flower/v1/store_pb.js";
import { PaymentStatus, type PaymentService } from "../../../gen/payment/v1/payment_pb.js";
import { checkStock, placeOrder, priceOrder, type KnownFlower, type Order, type OrderEvent, type PlaceOrder } from "./domain.js";

const known = (f: Flower): KnownFlower => ({ id: f.id, name: f.name, price: { amount: f.price?.amount ?? 0n, currency: f.price?.currency ?? "" }, stock: f.stock });

/**
 * Steps 1-3 of the flower saga in one command: check stock with the store, pay, and place the
 * order with its OrderPlaced event. No payment, no order.
 */
export function createPlaceOrder(deps: {
  transact: Transact; orders: Repository<Order, OrderEvent>; knownFlowers: Repository<KnownFlower>;
  store: Client<typeof StoreService>; payment: Client<typeof PaymentService>; logger: Logger;
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

  // A payment may have gone through even though its answer never came back: refund it, in the
  // background (payment's Cancel is idempotent and leaves a tombstone if nothing was paid).
  const refundQuietly = (orderId: string, reason: string) => {
    deps.payment.cancel({ system: "flower", referenceId: orderId, reason }, { fallback: (error) => Promise.reject(error) })
      .catch((error) => deps.logger.warn("could not refund an order that was not placed", { orderId, error: String(error) }));
  };

  return async (command: PlaceOrder, paymentMethod: string): Promise<Order> => {
    const { flower, fromEvents } = await knownFlower(command.flowerId);
    const short = checkStock(flower, command.qty);
    if (short) throw refused(short.refused, short.code);

    const orderId = newId();
    const { payment } = await deps.payment.pay(
      { system: "flower", referenceId: orderId, amount: priceOrder(flower, command.qty), method: paymentMethod },
      {
        fallback: (error) => {
          if (error.code === Code.DeadlineExceeded) refundQuietly(orderId, "payment answered too late; order not placed");
          throw unavailable("payment is unavailable right now; please pay later", 10_000);
        },
      },
    );
    if (payment?.status !== PaymentStatus.APPROVED) throw refused(`payment declined: ${payment?.reason || "no reason given"}`, "PAYMENT_DECLINED");

    const placed = placeOrder(orderId, command, flower, payment.id, new Date());
    try {
      await deps.transact(async (tx) => {
        await deps.orders.record(tx, placed, undefined);
        // Taken from the levels order believes in, so the next order sees them lowered.
        if (fromEvents) await deps.knownFlowers.apply(tx, flower.id, (k) => k && decide({ ...k, stock: k.stock - command.qty }));
      });
    } catch (error) {
      refundQuietly(orderId, "order could not be saved");
      throw error;
    }
    return placed.state;
  };
}
