// The handler both REST baselines serve: flower StoreService.GetFlower answering a constant
// flower (the demo catalogue's "1") without a database, so a comparison isolates the serving path.
import type { ServiceImpl } from "@connectrpc/connect";
import { StoreService } from "../gen/flower/v1/store_pb.js";

export const constantStore: Partial<ServiceImpl<typeof StoreService>> = {
  getFlower: (req) => ({ flower: { id: req.id, name: "Rose", price: { amount: 5000n, currency: "KRW" }, stock: 100 } }),
};
