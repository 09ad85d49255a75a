import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { fieldChecks, newId, notFound, refused, type Transact } from "../../../mesh/index.js";
import { StoreOrderStatus, type StoreService } from "../../../gen/flower/v1/store_pb.js";
import * as domain from "./domain.js";
import * as store from "./store.js";
import type { Knex } from "knex";

// StoreService handlers (inbound adapter): protobuf in, domain decision, protobuf out.

const statusToProto: Record<domain.StoreOrderStatus, StoreOrderStatus> = {
  Accepted: StoreOrderStatus.ACCEPTED,
  Wrapped: StoreOrderStatus.WRAPPED,
  Sold: StoreOrderStatus.SOLD,
  Rejected: StoreOrderStatus.REJECTED,
  Cancelled: StoreOrderStatus.CANCELLED,
};
const statusFromProto = new Map(Object.entries(statusToProto).map(([k, v]) => [v, k as domain.StoreOrderStatus]));

const storeOrderMessage = (o: store.StoreOrderRecord) => ({
  orderId: o.orderId, flowerId: o.flowerId, qty: o.qty, isOffline: o.isOffline, status: statusToProto[o.status], reason: o.reason,
  receivedAt: timestampFromDate(o.receivedAt), updatedAt: timestampFromDate(o.updatedAt),
});

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_STOCK = 1_000_000;

/** Creates the store's RPC handlers over its database. */
export function createStoreApi(db: Knex, transact: Transact): ServiceImpl<typeof StoreService> {
  const flowerOrNotFound = async (q: Knex, id: string, lock = false) => {
    const flower = await store.findFlower(q, id, lock);
    if (!flower) throw notFound("flower", id);
    return flower;
  };
  return {
    async getFlower(req) {
      fieldChecks().check(req.id !== "", "id", "is required").throwIfInvalid();
      return { flower: await flowerOrNotFound(db, req.id) };
    },

    async listFlowers() {
      return { flowers: await store.listFlowers(db) };
    },

    async addFlower(req) {
      fieldChecks()
        .check(req.id === "" || ID.test(req.id), "id", "must be 1-64 letters, digits, _ or -")
        .check(req.name.trim() !== "" && req.name.length <= 100, "name", "is required, at most 100 characters")
        .check(req.price !== undefined && req.price.amount > 0n, "price.amount", "must be greater than 0")
        .check(req.price !== undefined && /^[A-Z]{3}$/.test(req.price.currency), "price.currency", "must be a 3-letter ISO 4217 code such as KRW")
        .check(req.stock >= 0 && req.stock <= MAX_STOCK, "stock", `must be between 0 and ${MAX_STOCK}`)
        .throwIfInvalid();
      const flower: domain.Flower = {
        id: req.id || newId(), name: req.name.trim(), price: { amount: req.price!.amount, currency: req.price!.currency }, stock: req.stock,
      };
      return transact(async (tx) => {
        const existing = await store.findFlower(tx.db, flower.id, true);
        const result = domain.addFlower(flower, existing);
        if (domain.isRefusal(result)) throw refused(result.refused, result.code);
        await store.saveDecision(tx, result, { flower: existing });
        return { flower };
      });
    },

    async changeStock(req) {
      fieldChecks()
        .check(req.flowerId !== "", "flowerId", "is required")
        .check(req.stock >= 0 && req.stock <= MAX_STOCK, "stock", `must be between 0 and ${MAX_STOCK}`)
        .throwIfInvalid();
      return transact(async (tx) => {
        const flower = await flowerOrNotFound(tx.db, req.flowerId, true);
        const decision = domain.changeStock(flower, req.stock);
        await store.saveDecision(tx, decision, { flower });
        return { flower: decision.flower };
      });
    },

    async wrapFlowers(req) {
      fieldChecks().check(req.orderId !== "", "orderId", "is required").throwIfInvalid();
      return transact(async (tx) => {
        const order = await store.findStoreOrder(tx.db, req.orderId, true);
        if (!order) throw notFound("store order", req.orderId);
        const result = domain.wrapFlowers(order);
        if (domain.isRefusal(result)) throw refused(result.refused, result.code);
        await store.saveDecision(tx, result, { order });
        return { storeOrder: storeOrderMessage({ ...order, ...result.order!, updatedAt: new Date() }) };
      });
    },

    async listStoreOrders(req) {
      const status = req.status === StoreOrderStatus.UNSPECIFIED ? undefined : statusFromProto.get(req.status);
      fieldChecks().check(req.status === StoreOrderStatus.UNSPECIFIED || status !== undefined, "status", "is not a known store order status").throwIfInvalid();
      return { storeOrders: (await store.listStoreOrders(db, status)).map(storeOrderMessage) };
    },
  };
}
