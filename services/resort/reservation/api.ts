import type { ServiceImpl } from "@connectrpc/connect";
import { fieldChecks, toMessage, type Repository } from "../../../mesh/index.js";
import { ReservationSchema, type ReservationService } from "../../../gen/resort/v1/reservation_pb.js";
import { MAX_PERSONS, MAX_ROOMS, requestCancel, type Reservation, type ReservationEvent } from "./domain.js";
import type { createReserve } from "./reserve.js";

// ReservationService handlers (inbound adapter): each is its field rules, then one call.

const CUSTOMER_ID = /^[A-Za-z0-9_.@+-]{1,64}$/;
const PAYMENT_TYPE = /^[A-Za-z0-9_-]{1,32}$/;
/** The largest cost one reservation may carry (100 million won). */
const MAX_COST = 100_000_000n;
const message = (r: Reservation) => toMessage(ReservationSchema, r);

/** Creates the reservation context's RPC handlers. */
export function createReservationApi(reservations: Repository<Reservation, ReservationEvent>, reserve: ReturnType<typeof createReserve>): ServiceImpl<typeof ReservationService> {
  return {
    async reserve(req) {
      fieldChecks()
        .required("resort", req.resort.trim()).maxLength("resort", req.resort, 100)
        .required("region", req.region.trim()).maxLength("region", req.region, 100)
        .upcomingDay("date", req.date)
        .check(req.persons >= 1 && req.persons <= MAX_PERSONS, "persons", `must be between 1 and ${MAX_PERSONS}`)
        .check(req.rooms >= 1 && req.rooms <= MAX_ROOMS, "rooms", `must be between 1 and ${MAX_ROOMS}`)
        .maxLength("needs", req.needs, 300)
        .check(req.cost > 0n && req.cost <= MAX_COST, "cost", `must be an amount in won between 1 and ${MAX_COST}`)
        .check(req.paymentType === "" || PAYMENT_TYPE.test(req.paymentType), "paymentType", "must be a payment type such as card")
        .check(req.customerId === "" || CUSTOMER_ID.test(req.customerId), "customerId", "must be letters, digits or _.@+- (at most 64)")
        .throwIfInvalid();
      const { resort, region, date, persons, rooms, needs } = req;
      const reservation = await reserve({
        customerId: req.customerId || "guest", resort: resort.trim(), region: region.trim(), date, persons, rooms, needs,
        cost: { amount: req.cost, currency: "KRW" }, paymentType: req.paymentType || "card",
      });
      return { reservation: message(reservation) };
    },

    async getReservation(req) {
      fieldChecks().required("id", req.id).maxLength("id", req.id, 64).throwIfInvalid();
      return { reservation: message(await reservations.get(req.id)) };
    },

    async listReservations(req) {
      fieldChecks().maxLength("customerId", req.customerId, 64).throwIfInvalid();
      const page = await reservations.page({ by: "reservedAt", where: { customerId: req.customerId || undefined }, pageSize: req.pageSize, pageToken: req.pageToken });
      return { reservations: page.items.map(message), nextPageToken: page.nextPageToken };
    },

    async cancelReservation(req) {
      fieldChecks().required("id", req.id).maxLength("id", req.id, 64).maxLength("reason", req.reason, 300).throwIfInvalid();
      const reason = req.reason.trim() || "cancelled by the customer";
      return { reservation: message(await reservations.change(req.id, (r) => requestCancel(r, reason, new Date()))) };
    },
  };
}
