import {
  decide, further, int, money, on, policy, stepsTable, table, text, timestamp, toMessage, type Money, type ReceivedEvent, type Repository, type Transaction, type ViewSteps,
} from "../../../mesh/index.js";
import { MyPageSchema } from "../../../gen/resort/v1/mypage_pb.js";
import { paymentEvents } from "../../payment/events.js";
import * as resort from "../events.js";

// My page (CQRS): one row per reservation with its reservation, payment and voucher status,
// fed only by events, never by asking other services.

type ReservationStatus = "Reserved" | "Confirmed" | "CheckedIn" | "Cancelled";
type PaymentStatus = "Approved" | "Cancelled";
type IssueStatus = "Issued" | "CheckedIn" | "Cancelled";
export interface MyPage {
  reservationId: string; customerId: string; resort: string; region: string; date: string; persons: number; rooms: number; needs: string; cost: Money;
  reservationStatus?: ReservationStatus; paymentStatus?: PaymentStatus; issueStatus?: IssueStatus; ticketNumber: string; cancelRefusal: string;
  createdAt: Date; updatedAt: Date;
}

export const myPages = table<MyPage>("my_pages", {
  reservationId: text(64).key(), customerId: text(64).index(), resort: text(100), region: text(100), date: text(10), persons: int(), rooms: int(),
  needs: text(300), cost: money(), reservationStatus: text<ReservationStatus>(20).optional(), paymentStatus: text<PaymentStatus>(20).optional(),
  issueStatus: text<IssueStatus>(20).optional(), ticketNumber: text(32), cancelRefusal: text(300), createdAt: timestamp().index(), updatedAt: timestamp(),
});
export const myPageSteps = stepsTable("my_page_steps", "reservation_id");

/** What one event changes in its reservation's row, and how its step reads. */
type Change = Partial<Pick<MyPage, "reservationStatus" | "paymentStatus" | "issueStatus" | "ticketNumber" | "cancelRefusal">> & {
  description: string; reserved?: Partial<MyPage>;
};

const payment = paymentEvents("resort");
const blank = (reservationId: string, now: Date): MyPage => ({
  reservationId, customerId: "", resort: "", region: "", date: "", persons: 0, rooms: 0, needs: "", cost: { amount: 0n, currency: "" },
  ticketNumber: "", cancelRefusal: "", createdAt: now, updatedAt: now,
});
// Reports arrive out of order and never move a status back (a revoked voucher stays revoked).
const reservationRank: Record<ReservationStatus, number> = { Reserved: 0, Confirmed: 1, CheckedIn: 2, Cancelled: 3 };
const issueRank: Record<IssueStatus, number> = { Issued: 0, CheckedIn: 1, Cancelled: 2 };
const paymentRank: Record<PaymentStatus, number> = { Approved: 0, Cancelled: 1 };

/** The projection (one policy over every event of a reservation) and the query over what it keeps. */
export function createMyPageView(rows: Repository<MyPage>, steps: ViewSteps) {
  // Every event here names its reservation as its business key; payment's may come first, so a row may start blank.
  const note = async (tx: Transaction, event: ReceivedEvent, change: Change) => {
    const reservationId = event.businessKey;
    const now = new Date();
    await rows.apply(tx, reservationId, (row = blank(reservationId, now)) => decide({
      ...row, ...change.reserved, updatedAt: now,
      reservationStatus: further(reservationRank, row.reservationStatus, change.reservationStatus),
      paymentStatus: further(paymentRank, row.paymentStatus, change.paymentStatus),
      issueStatus: further(issueRank, row.issueStatus, change.issueStatus),
      ticketNumber: row.ticketNumber || change.ticketNumber || "",
      cancelRefusal: change.cancelRefusal ?? row.cancelRefusal,
    }));
    await steps.record(tx, event, change.description, { now });
  };

  return {
    projection: policy("updateMyPageWhenReservationChanges",
      on(resort.Reserved, (e, tx) => {
        const { customerId, resort: name, region, date, persons, rooms, needs, cost } = e.message;
        return note(tx, e, {
          reservationStatus: "Reserved", description: `reserved ${name} (${region}) on ${date}: ${persons} persons, ${rooms} rooms`,
          reserved: { customerId, resort: name, region, date, persons, rooms, needs, cost: cost ?? { amount: 0n, currency: "" } },
        });
      }),
      on(payment.PaymentApproved, (e, tx) => note(tx, e, { paymentStatus: "Approved", description: "payment approved" })),
      on(payment.PaymentCancelled, (e, tx) => note(tx, e, { paymentStatus: "Cancelled", description: "payment refunded" })),
      on(resort.IssuedTicket, (e, tx) => note(tx, e, { reservationStatus: "Confirmed", issueStatus: "Issued", ticketNumber: e.message.ticketNumber, description: `voucher ${e.message.ticketNumber} issued: reservation confirmed` })),
      on(resort.CheckedIn, (e, tx) => note(tx, e, { reservationStatus: "CheckedIn", issueStatus: "CheckedIn", description: `checked in with voucher ${e.message.ticketNumber}` })),
      on(resort.ReservationCancelRequested, (e, tx) => note(tx, e, { description: `cancel requested: ${e.message.reason}` })),
      on(resort.issueAnswers.CancelRefused, (e, tx) => note(tx, e, { cancelRefusal: e.message.reason, description: `cancel refused: ${e.message.reason}` })),
      on(resort.ReservationCancelled, (e, tx) => note(tx, e, { reservationStatus: "Cancelled", cancelRefusal: "", description: `reservation cancelled: ${e.message.reason}` })),
      on(resort.CancelledTicket, (e, tx) => note(tx, e, { issueStatus: "Cancelled", description: `voucher ${e.message.ticketNumber} revoked` })),
      // Never saved: explains the payment steps its refund leaves.
      on(resort.ReservationAbandoned, (e, tx) => note(tx, e, { description: `reservation not made: ${e.message.reason}` })),
    ),

    /** A page of rows, newest first, each with its steps in the order they happened. */
    async page(request: { customerId: string; reservationId: string; pageSize: number; pageToken: string }) {
      const page = await rows.page({
        by: "createdAt", where: { customerId: request.customerId || undefined, reservationId: request.reservationId || undefined },
        pageSize: request.pageSize, pageToken: request.pageToken,
      });
      const withSteps = await steps.attach(page.items, (row) => row.reservationId);
      return { myPages: withSteps.map((row) => toMessage(MyPageSchema, row)), nextPageToken: page.nextPageToken };
    },
  };
}

export type MyPageView = ReturnType<typeof createMyPageView>;
