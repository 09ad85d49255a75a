import type { ServiceImpl } from "@connectrpc/connect";
import { fieldChecks, newId, toMessage, type Repository } from "../../../mesh/index.js";
import { CleaningReservationSchema, type CleaningReservationService } from "../../../gen/cleaning/v1/reservation_pb.js";
import { idChecks } from "../checks.js";
import { applyForCleaning, GUEST, requestCancel, type CleaningReservation, type ReservationEvent } from "./domain.js";

// CleaningReservationService handlers (inbound adapter): each is its field rules, then one call.

const MAX_PRICE = 100_000_000n;
const CUSTOMER = /^[A-Za-z0-9+_.@ -]{1,64}$/;
const message = (r: CleaningReservation) => toMessage(CleaningReservationSchema, r);

/** Creates the reservation context's RPC handlers. */
export function createReservationApi(reservations: Repository<CleaningReservation, ReservationEvent>): ServiceImpl<typeof CleaningReservationService> {
  return {
    async createCleaningReservation(req) {
      const place = req.place.trim();
      fieldChecks()
        .check(place !== "", "place", "is required: where to clean")
        .maxLength("place", place, 300)
        .upcomingDay("requestDate", req.requestDate)
        .check(req.price >= 1n && req.price <= MAX_PRICE, "price", `must be between 1 and ${MAX_PRICE} won`)
        .check(req.customerId === "" || CUSTOMER.test(req.customerId), "customerId", "must be 1 to 64 letters, digits or + _ . @ - (a customer id or phone number)")
        .throwIfInvalid();
      const command = { place, requestDate: req.requestDate, price: { amount: req.price, currency: "KRW" }, customerId: req.customerId || GUEST };
      return { cleaningReservation: message(await reservations.create(() => applyForCleaning(newId(), command, new Date()))) };
    },

    async getCleaningReservation(req) {
      idChecks("id", req.id).throwIfInvalid();
      return { cleaningReservation: message(await reservations.get(req.id)) };
    },

    async listCleaningReservations(req) {
      fieldChecks().maxLength("customerId", req.customerId, 64).throwIfInvalid();
      const { items, nextPageToken } = await reservations.page({ by: "createdAt", where: { customerId: req.customerId || undefined }, pageSize: req.pageSize, pageToken: req.pageToken });
      return { cleaningReservations: items.map(message), nextPageToken };
    },

    async cancelCleaningReservation(req) {
      idChecks("id", req.id).maxLength("reason", req.reason, 300).throwIfInvalid();
      return { cleaningReservation: message(await reservations.change(req.id, (r) => requestCancel(r, req.reason || "cancelled by the customer", new Date()))) };
    },
  };
}
