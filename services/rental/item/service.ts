import { defineService, serve } from "../../../mesh/index.js";
import { ItemService } from "../../../gen/rental/v1/item_pb.js";
import { ItemHoldService } from "../../../gen/rental/v1/item_hold_pb.js";
import { createItemApi } from "./api.js";
import { createItemHoldApi } from "./hold-api.js";
import { createItemPolicies } from "./policies.js";
import { holds, items } from "./tables.js";
import { createItemInfoView, infoItems, infoReservations, infoSteps } from "./view.js";

/** rental's item: the item manager's items, who holds each, and the item-info view. */
export const itemContext = defineService({
  id: "rental-item",
  port: 8111,
  serves: [ItemService, ItemHoldService],
  tables: [items, holds, infoItems, infoReservations, infoSteps],
  start({ transact, repository }) {
    const [itemRows, holdRows] = [repository(items), repository(holds)];
    const view = createItemInfoView(repository(infoItems), repository(infoReservations), repository(infoSteps));
    return {
      rpc: [serve(ItemService, createItemApi(transact, itemRows, holdRows, view)), serve(ItemHoldService, createItemHoldApi(transact, itemRows, holdRows))],
      policies: [...createItemPolicies(itemRows, holdRows), view.projection],
    };
  },
});
