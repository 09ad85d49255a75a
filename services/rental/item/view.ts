import { bool, decide, money, on, policy, RetryLaterError, table, text, timestamp, toMessage, type Money, type ReceivedEvent, type Repository, type Transaction } from "../../../mesh/index.js";
import { ItemInfoSchema, type ListItemInfosRequest } from "../../../gen/rental/v1/item_pb.js";
import * as rental from "../events.js";
import type { ItemStatus, RentalStatus } from "./domain.js";

// The item-info read model (CQRS): each item with its latest reservation and that reservation's
// payment, fed only by events, never by asking the reservation context or payment.

type ReservationStatus = "Reserved" | "Cancelled" | "Rejected";
type PaymentStatus = "NotPaid" | "Paid" | "Refunded";

interface InfoItem {
  itemNo: string; itemName: string; itemPrice: Money; itemStatus?: ItemStatus; rentalStatus?: RentalStatus;
  /** The reservation the item last took (ItemReserved); before any, the latest one made. */
  reservationNo: string; deleted: boolean; firstSeenAt: Date; updatedAt: Date;
}
interface InfoReservation {
  reservationNo: string; itemNo: string; customerId: string; customerName: string;
  reservationStatus?: ReservationStatus; paymentStatus?: PaymentStatus; rentalStatus?: RentalStatus; updatedAt: Date;
}
interface InfoStep { eventId: string; itemNo: string; reservationNo: string; event: string; description: string; correlationId: string; occurredAt: Date; recordedAt: Date }

export const infoItems = table<InfoItem>("item_infos", {
  itemNo: text(64).key(), itemName: text(100), itemPrice: money(), itemStatus: text<ItemStatus>(16).optional(), rentalStatus: text<RentalStatus>(16).optional(),
  reservationNo: text(64), deleted: bool(), firstSeenAt: timestamp().index(), updatedAt: timestamp(),
});
export const infoReservations = table<InfoReservation>("item_info_reservations", {
  reservationNo: text(64).key(), itemNo: text(64).index(), customerId: text(64).index(), customerName: text(100),
  reservationStatus: text<ReservationStatus>(16).optional(), paymentStatus: text<PaymentStatus>(16).optional(), rentalStatus: text<RentalStatus>(16).optional(),
  updatedAt: timestamp(),
});
export const infoSteps = table<InfoStep>("item_info_steps", {
  eventId: text(64).key(), itemNo: text(64).index(), reservationNo: text(64), event: text(40), description: text(300), correlationId: text(255),
  occurredAt: timestamp(), recordedAt: timestamp(),
});

type ItemChange = Partial<Pick<InfoItem, "itemName" | "itemPrice" | "itemStatus" | "rentalStatus" | "reservationNo" | "deleted">>;
type ReservationChange = Partial<Omit<InfoReservation, "reservationNo" | "itemNo" | "updatedAt">>;

/** The projection (one policy over every event of an item and its reservations) and the query over what it keeps. */
export function createItemInfoView(itemRows: Repository<InfoItem>, reservationRows: Repository<InfoReservation>, stepRows: Repository<InfoStep>) {
  const note = async (tx: Transaction, event: ReceivedEvent, at: { itemNo: string; reservationNo?: string }, description: string,
    item: ItemChange | ((row: InfoItem) => ItemChange), reservation?: ReservationChange) => {
    const now = new Date();
    const { itemNo, reservationNo = "" } = at;
    await itemRows.apply(tx, itemNo, (row = { itemNo, itemName: "", itemPrice: { amount: 0n, currency: "" }, reservationNo: "", deleted: false, firstSeenAt: now, updatedAt: now }) =>
      decide({ ...row, ...(typeof item === "function" ? item(row) : item), updatedAt: now }));
    if (reservationNo && reservation) {
      await reservationRows.apply(tx, reservationNo, (row = { reservationNo, itemNo, customerId: "", customerName: "", updatedAt: now }) =>
        decide({ ...row, ...reservation, updatedAt: now }));
    }
    const { id: eventId, type, correlationId, occurredAt } = event;
    await stepRows.record(tx, decide({ eventId, itemNo, reservationNo, event: type.name, description: description.slice(0, 300), correlationId, occurredAt, recordedAt: now }), undefined);
  };
  // A cancel answer names only its reservation: its item is known once Reserved was seen.
  const itemOf = async (tx: Transaction, reservationNo: string) => {
    const row = await reservationRows.find(reservationNo, { tx });
    if (!row) throw new RetryLaterError(`reservation ${reservationNo} not seen yet`, 500);
    return row.itemNo;
  };
  const ifHolding = (reservationNo: string, change: ItemChange) => (row: InfoItem): ItemChange => (row.reservationNo === reservationNo && row.rentalStatus !== "Renting" ? change : {});

  return {
    projection: policy("updateItemInfoWhenItemOrReservationChanges",
      on(rental.ItemRegistered, (e, tx) => {
        const { itemNo, itemName, itemPrice } = e.message;
        return note(tx, e, { itemNo }, `item registered: ${itemName}`, { itemName, itemPrice, itemStatus: "Rentable", rentalStatus: "NotRenting" });
      }),
      on(rental.ItemDeleted, (e, tx) => note(tx, e, e.message, "item deleted", { deleted: true })),
      on(rental.Reserved, (e, tx) => {
        const { reservationNo, customerId, customerName } = e.message;
        return note(tx, e, e.message, `reserved by ${customerName || customerId}`, (row) => (row.itemStatus === "NotRentable" ? {} : { reservationNo }),
          { customerId, customerName, reservationStatus: "Reserved", paymentStatus: "NotPaid", rentalStatus: "NotRenting" });
      }),
      on(rental.ItemReserved, (e, tx) => note(tx, e, e.message, "item held for the reservation: not rentable", { itemStatus: "NotRentable", reservationNo: e.message.reservationNo }, {})),
      on(rental.ReservationRejected, (e, tx) => note(tx, e, e.message, `reservation rejected: ${e.message.reason}`, {}, { reservationStatus: "Rejected" })),
      on(rental.ReservationPaid, (e, tx) => note(tx, e, e.message, "reservation paid", {}, { paymentStatus: "Paid" })),
      on(rental.ReservationPaymentCancelled, (e, tx) => note(tx, e, e.message, `payment cancelled and refunded: ${e.message.reason}`, {}, { paymentStatus: "NotPaid" })),
      on(rental.ReservationCancelRequested, (e, tx) => note(tx, e, e.message, `cancel requested: ${e.message.reason}`, {}, {})),
      on(rental.itemAnswers.CancelConfirmed, async (e, tx) => {
        const reservationNo = e.message.referenceId;
        await note(tx, e, { itemNo: await itemOf(tx, reservationNo), reservationNo }, "cancel confirmed by the item: rentable again", ifHolding(reservationNo, { itemStatus: "Rentable" }), {});
      }),
      on(rental.itemAnswers.CancelRefused, async (e, tx) => {
        const reservationNo = e.message.referenceId;
        await note(tx, e, { itemNo: await itemOf(tx, reservationNo), reservationNo }, `cancel refused: ${e.message.reason}`, {}, {});
      }),
      on(rental.ReservationCancelled, (e, tx) => {
        const { reason, wasPaid } = e.message;
        return note(tx, e, e.message, `reservation cancelled: ${reason}${wasPaid ? " (payment refunded)" : ""}`, {},
          { reservationStatus: reason.startsWith("rejected") ? "Rejected" : "Cancelled", ...(wasPaid ? { paymentStatus: "Refunded" as const } : {}) });
      }),
      on(rental.RentedItem, (e, tx) => note(tx, e, e.message, "rented out", { itemStatus: "NotRentable", rentalStatus: "Renting", reservationNo: e.message.reservationNo }, { rentalStatus: "Renting" })),
      on(rental.ReturnedItem, (e, tx) => note(tx, e, e.message, "returned: rentable again", { itemStatus: "Rentable", rentalStatus: "Returned" }, { rentalStatus: "Returned" })),
    ),

    /** One page of item infos, the items first seen most recently first, each with its steps in the order they happened. */
    async list(req: Pick<ListItemInfosRequest, "itemNo" | "reservationNo" | "customerId" | "pageSize" | "pageToken">) {
      const byReservation = req.reservationNo || req.customerId;
      const page = await itemRows.page({
        by: "firstSeenAt", where: { itemNo: req.itemNo || undefined }, filter: { reservationNo: req.reservationNo, customerId: req.customerId },
        match: (q, column) => byReservation && q.whereIn(column("itemNo"), (sub) => {
          sub.select(infoReservations.column("itemNo")).from(infoReservations.name);
          if (req.reservationNo) sub.where(infoReservations.column("reservationNo"), req.reservationNo);
          if (req.customerId) sub.where(infoReservations.column("customerId"), req.customerId);
        }),
        pageSize: req.pageSize, pageToken: req.pageToken,
      });
      const ids = page.items.map((r) => r.itemNo);
      const stepsOf = new Map(ids.map((id) => [id, [] as InfoStep[]]));
      const reservationsOf = new Map<string, InfoReservation[]>();
      if (ids.length > 0) {
        for (const step of await stepRows.list({ match: (q, column) => q.whereIn(column("itemNo"), ids), orderBy: [["occurredAt", "asc"], ["eventId", "asc"]], limit: ids.length * 200 })) stepsOf.get(step.itemNo)!.push(step);
        for (const r of await reservationRows.list({ match: (q, column) => q.whereIn(column("itemNo"), ids), orderBy: [["updatedAt", "desc"]], limit: ids.length * 50 })) {
          reservationsOf.set(r.itemNo, [...(reservationsOf.get(r.itemNo) ?? []), r]);
        }
      }
      const infos = page.items.map((row) => {
        const mine = reservationsOf.get(row.itemNo) ?? [];
        const latest = mine.find((r) => r.reservationNo === row.reservationNo) ?? mine[0];
        const { reservationNo = "", customerId = "", customerName = "", reservationStatus, paymentStatus } = latest ?? {};
        return toMessage(ItemInfoSchema, { ...row, reservationNo, customerId, customerName, reservationStatus, paymentStatus, steps: stepsOf.get(row.itemNo) });
      });
      return { itemInfos: infos, nextPageToken: page.nextPageToken };
    },
  };
}

export type ItemInfoView = ReturnType<typeof createItemInfoView>;
