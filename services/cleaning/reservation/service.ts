import { defineService, serve } from "../../../mesh/index.js";
import { CleaningReservationService } from "../../../gen/cleaning/v1/reservation_pb.js";
import { createReservationApi } from "./api.js";
import { createReservationPolicies } from "./policies.js";
import { reservations } from "./tables.js";

/** cleaning's reservation: the customer's cleaning requests. */
export const reservationContext = defineService({
  id: "cleaning-reservation",
  port: 8121,
  serves: [CleaningReservationService],
  tables: [reservations],
  start({ repository }) {
    const rows = repository(reservations);
    return { rpc: [serve(CleaningReservationService, createReservationApi(rows))], policies: createReservationPolicies(rows) };
  },
});
