import type { ServiceImpl } from "@connectrpc/connect";
import { fieldChecks, isRefusal, refused, toMessage, type Repository, type Transact } from "../../../mesh/index.js";
import { ItemSchema } from "../../../gen/rental/v1/item_pb.js";
import type { ItemHoldService } from "../../../gen/rental/v1/item_hold_pb.js";
import { attemptOf, releasePayment, type Hold, type Item, type ItemEvent } from "./domain.js";
import { notFound } from "./not-found.js";
import { recordDecision } from "./tables.js";

const message = (item: Item) => toMessage(ItemSchema, item);

// ItemHoldService handlers: the item's side of the reservation's payment commands, for
// rental-reservation only (an internal service: no REST path, not routed by the gateway).

/** Creates the handlers of the item's internal hold service. */
export function createItemHoldApi(transact: Transact, items: Repository<Item, ItemEvent>, holds: Repository<Hold, ItemEvent>): ServiceImpl<typeof ItemHoldService> {
  // The renter's payment cancellation, decided over the same two rows in the same order as renting out.
  const release = (itemNo: string, reservationNo: string, paymentReference: string) => transact(async (tx) => {
    const item = await items.find(itemNo, { tx, lock: true });
    if (!item) throw notFound(itemNo);
    const hold = await holds.find(reservationNo, { tx, lock: true });
    if (hold && hold.itemNo !== itemNo) throw refused(`reservation ${reservationNo} is for item ${hold.itemNo}, not ${itemNo}`, "OTHER_ITEM");
    const decision = releasePayment({ reservationNo, itemNo }, attemptOf(reservationNo, paymentReference), hold, new Date());
    if (isRefusal(decision)) throw refused(decision.refused, decision.code);
    await recordDecision(tx, decision, { item, hold });
    return message(item);
  });
  return {
    async releasePayment(req) {
      fieldChecks()
        .required("itemNo", req.itemNo).maxLength("itemNo", req.itemNo, 64)
        .required("reservationNo", req.reservationNo).maxLength("reservationNo", req.reservationNo, 64)
        .check(req.paymentReference === "" || req.paymentReference === req.reservationNo || req.paymentReference.startsWith(`${req.reservationNo}.`), "paymentReference",
          "must be the reservation's id or \"<reservation id>.<attempt>\"")
        .maxLength("paymentReference", req.paymentReference, 80)
        .throwIfInvalid();
      return { item: await release(req.itemNo, req.reservationNo, req.paymentReference) };
    },
  };
}
