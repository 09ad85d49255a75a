import { cancelAnswers, defineEvent } from "../../mesh/index.js";
import {
  CleaningCancelRequestedSchema,
  CleaningCompletedSchema,
  CleaningConfirmedSchema,
  CleaningPaymentVoidedSchema,
  CleaningRequestCanceledSchema,
  CleaningRequestedSchema,
  KindChangedSchema,
  KindRegisteredSchema,
  MessageAlertedSchema,
  PaymethodAbandonedSchema,
  PaymethodDeletedSchema,
} from "../../gen/cleaning/v1/events_pb.js";

// The cleaning system's domain events, by the context that publishes them (the seed's names).
// Every one is about a cleaning request: its id (the reservation id) is the saga's business key,
// except the two that void one payment attempt: payment refunds by their key, the attempt's reference.

export const CleaningRequested = defineEvent("cleaning.reservation", CleaningRequestedSchema, (e) => e.requestId);
export const CleaningCancelRequested = defineEvent("cleaning.reservation", CleaningCancelRequestedSchema, (e) => e.requestId);
export const CleaningRequestCanceled = defineEvent("cleaning.reservation", CleaningRequestCanceledSchema, (e) => e.requestId);
export const CleaningPaymentVoided = defineEvent("cleaning.reservation", CleaningPaymentVoidedSchema, (e) => e.paymentReference);

export const KindRegistered = defineEvent("cleaning.paymethod", KindRegisteredSchema, (e) => e.requestId);
export const KindChanged = defineEvent("cleaning.paymethod", KindChangedSchema, (e) => e.requestId);
export const PaymethodDeleted = defineEvent("cleaning.paymethod", PaymethodDeletedSchema, (e) => e.requestId);
// One written before attempts had references of their own names none: it was about the request's only payment.
export const PaymethodAbandoned = defineEvent("cleaning.paymethod", PaymethodAbandonedSchema, (e) => e.paymentReference || e.requestId);

export const CleaningConfirmed = defineEvent("cleaning.cleaning", CleaningConfirmedSchema, (e) => e.requestId);
export const CleaningCompleted = defineEvent("cleaning.cleaning", CleaningCompletedSchema, (e) => e.requestId);
// The cleaner's answers to CleaningCancelRequested: the party doing the work decides.
export const cleanerAnswers = cancelAnswers("cleaning.cleaning");

export const MessageAlerted = defineEvent("cleaning.dashboard", MessageAlertedSchema, (e) => e.requestId);
