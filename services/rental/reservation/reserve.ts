import { Code } from "@connectrpc/connect";
import { newId, refused, unavailable, type Client, type Repository } from "../../../mesh/index.js";
import type { ItemService } from "../../../gen/rental/v1/item_pb.js";
import { checkReservable, reserve, type KnownItem, type Reservation, type ReservationEvent, type Reserve } from "./domain.js";

/**
 * Step 3: takes a reservation. The item is looked up in what its events told (so the item service
 * may be down); only an item not heard of yet is asked for. The item decides later who holds it.
 */
export function createReserve(deps: { reservations: Repository<Reservation, ReservationEvent>; knownItems: Repository<KnownItem>; item: Client<typeof ItemService> }) {
  const knownItem = async (id: string): Promise<KnownItem> => {
    const remembered = await deps.knownItems.find(id);
    if (remembered) return remembered;
    const { item } = await deps.item.getItem({ id }, {
      fallback: (error) => {
        throw unavailable(`item ${id} is not known here yet and the item service is unreachable (${Code[error.code]}); try again shortly`, 5000);
      },
    });
    return { id, itemName: item!.itemName, itemPrice: { amount: item!.itemPrice?.amount ?? 0n, currency: item!.itemPrice?.currency || "KRW" }, deleted: false };
  };

  return async (command: Reserve, expected: { itemName: string; itemPrice: bigint }): Promise<Reservation> => {
    const item = await knownItem(command.itemNo);
    const refusal = checkReservable(item);
    if (refusal) throw refused(refusal.refused, refusal.code);
    // The seed repeats the item's name and price; a mismatch is a renter looking at a stale page.
    if (expected.itemName && expected.itemName !== item.itemName) throw refused(`itemName: item ${item.id} is called ${item.itemName}, not ${expected.itemName}`, "ITEM_CHANGED");
    if (expected.itemPrice && expected.itemPrice !== item.itemPrice.amount) throw refused(`itemPrice: item ${item.id} costs ${item.itemPrice.amount}, not ${expected.itemPrice}`, "ITEM_CHANGED");
    return deps.reservations.create(() => reserve(newId(), command, item, new Date()));
  };
}
