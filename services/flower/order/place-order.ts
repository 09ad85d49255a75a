import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import type { Knex } from "knex";
import { newId, refused, unavailable, type Client, type Logger, type Transact } from "../../../mesh/index.js";
import { GetFlowerResponseSchema, type StoreService } from "../../../gen/flower/v1/store_pb.js";
import { PaymentStatus, type PaymentService } from "../../../gen/payment/v1/payment_pb.js";
import * as domain from "./domain.js";
import * as store from "./store.js";

export interface PlaceOrderDeps {
  db: Knex;
  transact: Transact;
  store: Client<typeof StoreService>;
  payment: Client<typeof PaymentService>;
  logger: Logger;
}

/**
 * Steps 1-3 of the flower saga in one command: check stock with the store, pay, and place the
 * order with its OrderPlaced event. No payment, no order.
 */
export function createPlaceOrder(deps: PlaceOrderDeps) {
  // Fault isolation: with the store down, the last stock levels seen in its events decide.
  const knownFlower = async (id: string) => {
    let fromEvents = false;
    const { flower } = await deps.store.getFlower({ id }, {
      fallback: async (error) => {
        const known = await store.findKnownFlower(deps.db, id);
        if (!known) throw unavailable(`the store is unreachable (${error.code === Code.Unavailable ? "unavailable" : Code[error.code]}) and no stock level is known for flower ${id}; try again shortly`, 5000);
        fromEvents = true;
        return create(GetFlowerResponseSchema, { flower: known });
      },
    });
    return { flower: flower as domain.KnownFlower, fromEvents };
  };

  // A payment may have gone through even though its answer never came back: refund it, in the
  // background (payment's Cancel is idempotent and leaves a tombstone if nothing was paid).
  const refundQuietly = (orderId: string, reason: string) => {
    deps.payment.cancel({ system: "flower", referenceId: orderId, reason }, {
      fallback: (error) => {
        throw error;
      },
    }).catch((error) => deps.logger.warn("could not refund an order that was not placed", { orderId, error: String(error) }));
  };

  return async (command: domain.PlaceOrder, paymentMethod: string): Promise<domain.Order> => {
    const { flower, fromEvents } = await knownFlower(command.flowerId);
    const short = domain.checkStock(flower, command.qty);
    if (short) throw refused(short.refused, short.code);

    const orderId = newId();
    const { payment } = await deps.payment.pay(
      { system: "flower", referenceId: orderId, amount: domain.priceOrder(flower, command.qty), method: paymentMethod },
      {
        fallback: (error) => {
          if (error.code === Code.DeadlineExceeded) refundQuietly(orderId, "payment answered too late; order not placed");
          throw unavailable("payment is unavailable right now; please pay later", 10_000);
        },
      },
    );
    if (payment?.status !== PaymentStatus.APPROVED) {
      throw refused(`payment declined: ${payment?.reason || "no reason given"}`, "PAYMENT_DECLINED");
    }

    const { order, events } = domain.placeOrder(orderId, command, flower, payment.id, new Date());
    try {
      await deps.transact(async (tx) => {
        await store.saveOrder(tx, order, events, true);
        if (fromEvents) await store.takeFromKnownStock(tx.db, flower.id, command.qty);
      });
    } catch (error) {
      refundQuietly(orderId, "order could not be saved");
      throw error;
    }
    return order;
  };
}
