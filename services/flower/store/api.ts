import type { ServiceImpl } from "@connectrpc/connect";
import { domainEnum, fieldChecks, newId, toMessage, type Repository } from "../../../mesh/index.js";
import { StoreOrderSchema, StoreOrderStatus, StoreOrderStatusSchema, type StoreService } from "../../../gen/flower/v1/store_pb.js";
import { addFlower, changeStock, storeOrderStatuses, wrapFlowers, type Flower, type StoreEvent, type StoreOrder } from "./domain.js";

// StoreService handlers (inbound adapter): each is its field rules, then one call.

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_STOCK = 1_000_000;
const statuses = domainEnum(StoreOrderStatusSchema, storeOrderStatuses);
const message = (order: StoreOrder) => toMessage(StoreOrderSchema, order);

/** Creates the store's RPC handlers. */
export function createStoreApi(flowers: Repository<Flower, StoreEvent>, storeOrders: Repository<StoreOrder, StoreEvent>): ServiceImpl<typeof StoreService> {
  return {
    async getFlower(req) {
      fieldChecks().required("id", req.id).throwIfInvalid();
      return { flower: await flowers.get(req.id) };
    },

    async listFlowers(req) {
      const { items, nextPageToken } = await flowers.page({ by: "id", direction: "asc", pageSize: req.pageSize, pageToken: req.pageToken });
      return { flowers: items, nextPageToken };
    },

    async addFlower(req) {
      fieldChecks()
        .check(req.id === "" || ID.test(req.id), "id", "must be 1-64 letters, digits, _ or -")
        .check(req.name.trim() !== "" && req.name.length <= 100, "name", "is required, at most 100 characters")
        .check(req.price !== undefined && req.price.amount > 0n, "price.amount", "must be greater than 0")
        .check(req.price !== undefined && /^[A-Z]{3}$/.test(req.price.currency), "price.currency", "must be a 3-letter ISO 4217 code such as KRW")
        .check(req.stock >= 0 && req.stock <= MAX_STOCK, "stock", `must be between 0 and ${MAX_STOCK}`)
        .throwIfInvalid();
      const flower: Flower = { id: req.id || newId(), name: req.name.trim(), price: { amount: req.price!.amount, currency: req.price!.currency }, stock: req.stock };
      return { flower: await flowers.decide(flower.id, (existing) => addFlower(flower, existing)) };
    },

    async changeStock(req) {
      fieldChecks()
        .required("flowerId", req.flowerId)
        .check(req.stock >= 0 && req.stock <= MAX_STOCK, "stock", `must be between 0 and ${MAX_STOCK}`)
        .throwIfInvalid();
      return { flower: await flowers.change(req.flowerId, (flower) => changeStock(flower, req.stock)) };
    },

    async wrapFlowers(req) {
      fieldChecks().required("orderId", req.orderId).throwIfInvalid();
      return { storeOrder: message(await storeOrders.change(req.orderId, (order) => wrapFlowers(order, new Date()))) };
    },

    async listStoreOrders(req) {
      const status = statuses.fromProto(req.status);
      fieldChecks().check(req.status === StoreOrderStatus.UNSPECIFIED || status !== undefined, "status", "is not a known store order status").throwIfInvalid();
      const { items, nextPageToken } = await storeOrders.page({ where: { status }, by: "receivedAt", pageSize: req.pageSize, pageToken: req.pageToken });
      return { storeOrders: items.map(message), nextPageToken };
    },
  };
}
