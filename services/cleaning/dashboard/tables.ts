import { bool, eventsOf, money, table, text, timestamp, type Money } from "../../../mesh/index.js";
import { MessageAlerted } from "../events.js";
import type { ReservationStatus } from "../reservation/domain.js";

// The dashboard's tables: its rows, their steps, and the customer's messages. Fed only by events.

export type PaymentState = "Approved" | "Declined" | "Cancelled";

/** One cleaning request as the dashboard shows it (the seed's DashBoardView). */
export interface DashBoardRow {
  requestId: string; status: ReservationStatus; place: string; price: Money; requestDate: string; payKind: string; number: string;
  /** When the event that set payKind happened: events may arrive out of order, the latest wins. */
  payKindAt?: Date;
  paymentStatus?: PaymentState;
  /** The payment attempt paymentStatus is about: the one that paid once KindRegistered named it (paymentKept), else the latest seen. */
  paymentReference: string; paymentKept: boolean;
  customerId: string; cancelRefusal: string; createdAt: Date; updatedAt: Date;
}
/** One event that changed a request. */
export interface DashBoardStep { eventId: string; requestId: string; event: string; description: string; correlationId: string; occurredAt: Date; recordedAt: Date }
/** A message left for the customer (the seed's message service). */
export interface CustomerMessage { id: string; requestId: string; recipient: string; message: string; eventType: string; correlationId: string; createdAt: Date }
export type MessageEvent = { type: "MessageAlerted"; messageId: string; requestId: string; recipient: string; message: string };

export const views = table<DashBoardRow>("dash_board_views", {
  requestId: text(64).key(), status: text<ReservationStatus>(24), place: text(300), price: money(), requestDate: text(10), payKind: text(32), number: text(8), payKindAt: timestamp().optional(),
  paymentStatus: text<PaymentState>(16).optional(), customerId: text(64), cancelRefusal: text(300), createdAt: timestamp(), updatedAt: timestamp(),
  paymentReference: text(64).since("0001_dash_board_views_payment_reference", ""), paymentKept: bool().since("0001_dash_board_views_payment_reference", false),
}, { resource: "dashboard view", indexes: [["createdAt", "requestId"], ["customerId", "createdAt"]] });

export const steps = table<DashBoardStep>("dash_board_steps", {
  eventId: text(64).key(), requestId: text(64).index(), event: text(40), description: text(300), correlationId: text(255), occurredAt: timestamp(), recordedAt: timestamp(),
});

export const messages = table<CustomerMessage, MessageEvent>("messages", {
  id: text(64).key(), requestId: text(64).index(), recipient: text(64), message: text(1000), eventType: text(80), correlationId: text(255), createdAt: timestamp(),
}, { resource: "message", events: eventsOf<MessageEvent>()({ MessageAlerted }), indexes: [["createdAt", "id"], ["recipient", "createdAt"]] });
