import type { ServiceImpl } from "@connectrpc/connect";
import { domainEnum, fieldChecks, isRefusal, newId, refused, toMessage, type Repository, type Transact } from "../../../mesh/index.js";
import { ItemSchema, type ItemService } from "../../../gen/rental/v1/item_pb.js";
import { ItemStatus, ItemStatusSchema, RentalStatus } from "../../../gen/rental/v1/status_pb.js";
import { deleteItem, itemStatuses, registerItem, rentOut, returnItem, type Hold, type Item, type ItemDecision, type ItemEvent } from "./domain.js";
import { recordDecision } from "./tables.js";
import type { ItemInfoView } from "./view.js";
import { notFound } from "./not-found.js";

// ItemService handlers (inbound adapter): each is its field rules, then one call.

const MAX_PRICE = 1_000_000_000n;
const statuses = domainEnum(ItemStatusSchema, itemStatuses);
const message = (item: Item) => toMessage(ItemSchema, item);

type Command = (item: Item, reservationNo: string, hold: Hold | undefined, now: Date) => ItemDecision | ReturnType<typeof rentOut>;

/** Creates the item context's RPC handlers. */
export function createItemApi(transact: Transact, items: Repository<Item, ItemEvent>, holds: Repository<Hold, ItemEvent>, view: ItemInfoView): ServiceImpl<typeof ItemService> {
  // Rent out and return decide over the item and its hold of the reservation, both locked (item first, as the policies do).
  const onItem = (id: string, reservationNo: string, command: Command) => transact(async (tx) => {
    const item = await items.find(id, { tx, lock: true });
    if (!item || item.deletedAt) throw notFound(id);
    const no = reservationNo || item.reservationNo;
    const hold = no ? await holds.find(no, { tx, lock: true }) : undefined;
    const decision = command(item, no, hold, new Date());
    if (isRefusal(decision)) throw refused(decision.refused, decision.code);
    await recordDecision(tx, decision, { item, hold });
    return message(decision.item ?? item);
  });
  const live = async (id: string) => {
    const item = await items.find(id);
    if (!item || item.deletedAt) throw notFound(id);
    return item;
  };

  return {
    async registerItem(req) {
      fieldChecks()
        .check(req.itemName.trim() !== "" && req.itemName.length <= 100, "itemName", "is required, at most 100 characters")
        .check(req.itemPrice > 0n && req.itemPrice <= MAX_PRICE, "itemPrice", `must be a whole number of won between 1 and ${MAX_PRICE}`)
        .check(req.itemStatus === ItemStatus.UNSPECIFIED || req.itemStatus === ItemStatus.RENTABLE, "itemStatus", "a new item is Rentable (leave it out or send Rentable)")
        .check(req.rentalStatus === RentalStatus.UNSPECIFIED || req.rentalStatus === RentalStatus.NOT_RENTING, "rentalStatus", "a new item is NotRenting (leave it out or send NotRenting)")
        .throwIfInvalid();
      const command = { itemName: req.itemName.trim(), itemPrice: { amount: req.itemPrice, currency: "KRW" } };
      return { item: message(await items.create(() => registerItem(newId(), command, new Date()))) };
    },

    async getItem(req) {
      fieldChecks().required("id", req.id).maxLength("id", req.id, 64).throwIfInvalid();
      return { item: message(await live(req.id)) };
    },

    async listItems(req) {
      const itemStatus = statuses.fromProto(req.itemStatus);
      fieldChecks().check(req.itemStatus === ItemStatus.UNSPECIFIED || itemStatus !== undefined, "itemStatus", "is not a known item status").throwIfInvalid();
      const page = await items.page({
        by: "registeredAt", where: { itemStatus }, match: (q, column) => q.whereNull(column("deletedAt")), filter: { deleted: false },
        pageSize: req.pageSize, pageToken: req.pageToken,
      });
      return { items: page.items.map(message), nextPageToken: page.nextPageToken };
    },

    async updateItem(req) {
      fieldChecks()
        .required("id", req.id).maxLength("id", req.id, 64)
        .check(req.itemNo === "" || req.itemNo === req.id, "itemNo", "must be the item's id (the one in the path) or left out")
        .maxLength("reservationNo", req.reservationNo, 64)
        .check(req.itemStatus !== ItemStatus.UNSPECIFIED || req.rentalStatus !== RentalStatus.UNSPECIFIED, "rentalStatus",
          "nothing to change: send rentalStatus=Renting to rent the item out or rentalStatus=Returned to take it back")
        .throwIfInvalid();
      const renting = req.rentalStatus === RentalStatus.RENTING && req.itemStatus !== ItemStatus.RENTABLE;
      const returning = req.rentalStatus === RentalStatus.RETURNED && req.itemStatus !== ItemStatus.NOT_RENTABLE;
      if (renting) return { item: await onItem(req.id, req.reservationNo, rentOut) };
      if (returning) return { item: await onItem(req.id, req.reservationNo, returnItem) };
      throw refused("an item's statuses follow its reservations and rentals: PATCH itemStatus=NotRentable rentalStatus=Renting rents it out, "
        + "itemStatus=Rentable rentalStatus=Returned takes it back; a reservation makes it NotRentable, a cancellation Rentable again", "STATUS_NOT_SETTABLE");
    },

    async rentOutItem(req) {
      fieldChecks().required("id", req.id).maxLength("id", req.id, 64).maxLength("reservationNo", req.reservationNo, 64).throwIfInvalid();
      return { item: await onItem(req.id, req.reservationNo, rentOut) };
    },

    async returnItem(req) {
      fieldChecks().required("id", req.id).maxLength("id", req.id, 64).maxLength("reservationNo", req.reservationNo, 64).throwIfInvalid();
      return { item: await onItem(req.id, req.reservationNo, returnItem) };
    },


    async deleteItem(req) {
      fieldChecks().required("id", req.id).maxLength("id", req.id, 64).throwIfInvalid();
      await live(req.id);
      return { item: message(await items.change(req.id, (item) => deleteItem(item, new Date()))) };
    },

    async listItemInfos(req) {
      fieldChecks().maxLength("itemNo", req.itemNo, 64).maxLength("reservationNo", req.reservationNo, 64).maxLength("customerId", req.customerId, 64).throwIfInvalid();
      return view.list(req);
    },
  };
}
