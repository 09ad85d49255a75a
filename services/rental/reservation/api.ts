import type { ServiceImpl } from "@connectrpc/connect";
import { fieldChecks, refused, toMessage, type Repository } from "../../../mesh/index.js";
import { ReservationSchema, type ReservationService } from "../../../gen/rental/v1/reservation_pb.js";
import { PaymentStatus, RentalStatus, ReservationStatus } from "../../../gen/rental/v1/status_pb.js";
import { requestCancel, type Reservation, type ReservationEvent } from "./domain.js";
import type { createPayments } from "./pay.js";
import type { createReserve } from "./reserve.js";

// ReservationService handlers (inbound adapter): each is its field rules, then one call.

const ID = /^[A-Za-z0-9_.:-]{1,64}$/;
const MAX_PRICE = 1_000_000_000n;
const message = (r: Reservation) => toMessage(ReservationSchema, r);

/** Creates the reservation context's RPC handlers. */
export function createReservationApi(
  reservations: Repository<Reservation, ReservationEvent>, reserve: ReturnType<typeof createReserve>, payments: ReturnType<typeof createPayments>,
): ServiceImpl<typeof ReservationService> {
  const checkId = (id: string) => fieldChecks().required("id", id).maxLength("id", id, 64).throwIfInvalid();
  const checkMethod = (method: string) => fieldChecks().maxLength("paymentMethod", method, 32).throwIfInvalid();
  const cancel = (id: string, reason: string) => reservations.change(id, (r) => requestCancel(r, reason || "cancelled by the renter", new Date()));

  return {
    async reserve(req) {
      fieldChecks()
        .check(req.customerName.trim() !== "" && req.customerName.length <= 100, "customerName", "is required, at most 100 characters")
        .check(ID.test(req.customerId), "customerId", "is required: 1-64 letters, digits, _ . : or -")
        .check(ID.test(req.itemNo), "itemNo", "is required: the id of an item")
        .maxLength("itemName", req.itemName, 100)
        .check(req.itemPrice >= 0n && req.itemPrice <= MAX_PRICE, "itemPrice", `must be the item's price in won, between 0 and ${MAX_PRICE}`)
        .check(req.paymentStatus === PaymentStatus.UNSPECIFIED || req.paymentStatus === PaymentStatus.NOT_PAID, "paymentStatus",
          "a new reservation is NotPaid: reserve, then PATCH paymentStatus=Paid to pay")
        .check(req.rentalStatus === RentalStatus.UNSPECIFIED || req.rentalStatus === RentalStatus.NOT_RENTING, "rentalStatus", "a new reservation is NotRenting")
        .throwIfInvalid();
      const { customerId, itemNo } = req;
      return { reservation: message(await reserve({ customerName: req.customerName.trim(), customerId, itemNo }, { itemName: req.itemName, itemPrice: req.itemPrice })) };
    },

    async getReservation(req) {
      checkId(req.id);
      return { reservation: message(await reservations.get(req.id)) };
    },

    async listReservations(req) {
      fieldChecks().maxLength("customerId", req.customerId, 64).maxLength("itemNo", req.itemNo, 64).throwIfInvalid();
      const page = await reservations.page({
        by: "reservedAt", where: { customerId: req.customerId || undefined, itemNo: req.itemNo || undefined }, pageSize: req.pageSize, pageToken: req.pageToken,
      });
      return { reservations: page.items.map(message), nextPageToken: page.nextPageToken };
    },

    async updateReservation(req) {
      checkId(req.id);
      checkMethod(req.paymentMethod);
      const asked = [req.paymentStatus !== PaymentStatus.UNSPECIFIED, req.reservationStatus !== ReservationStatus.UNSPECIFIED].filter(Boolean).length;
      fieldChecks()
        .check(asked > 0 || req.rentalStatus !== RentalStatus.UNSPECIFIED, "paymentStatus",
          "nothing to change: send paymentStatus=Paid to pay, paymentStatus=NotPaid to cancel the payment, or reservationStatus=Cancelled to cancel")
        .check(asked <= 1, "reservationStatus", "one change at a time: either paymentStatus or reservationStatus")
        .throwIfInvalid();
      if (req.rentalStatus !== RentalStatus.UNSPECIFIED) {
        throw refused("rentalStatus is the item manager's: PATCH /rental/items/{itemNo} rentalStatus=Renting rents out, rentalStatus=Returned takes back", "STATUS_NOT_SETTABLE");
      }
      if (req.paymentStatus === PaymentStatus.PAID) return { reservation: message(await payments.pay(req.id, req.paymentMethod || "card")) };
      if (req.paymentStatus === PaymentStatus.NOT_PAID) return { reservation: message(await payments.cancelPayment(req.id, "payment cancelled by the renter")) };
      if (req.reservationStatus === ReservationStatus.CANCELLED) return { reservation: message(await cancel(req.id, "")) };
      throw refused("a reservation becomes Refunded when a paid reservation is cancelled, Reserved when taken and Rejected by the item; "
        + "send paymentStatus=Paid, paymentStatus=NotPaid or reservationStatus=Cancelled", "STATUS_NOT_SETTABLE");
    },

    async payReservation(req) {
      checkId(req.id);
      checkMethod(req.paymentMethod);
      return { reservation: message(await payments.pay(req.id, req.paymentMethod || "card")) };
    },

    async cancelPayment(req) {
      checkId(req.id);
      fieldChecks().maxLength("reason", req.reason, 300).throwIfInvalid();
      return { reservation: message(await payments.cancelPayment(req.id, req.reason || "payment cancelled by the renter")) };
    },

    async cancelReservation(req) {
      checkId(req.id);
      fieldChecks().maxLength("reason", req.reason, 300).throwIfInvalid();
      return { reservation: message(await cancel(req.id, req.reason)) };
    },
  };
}
