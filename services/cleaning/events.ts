import { cancelAnswers, defineEvent } from "../../mesh/index.js";
import {
  CleaningCancelRequestedSchema,
  CleaningCompletedSchema,
  CleaningConfirmedSchema,
  CleaningRequestCanceledSchema,
  CleaningRequestedSchema,
  KindChangedSchema,
  KindRegisteredSchema,
  MessageAlertedSchema,
  PaymethodAbandonedSchema,
  PaymethodDeletedSchema,
} from "../../gen/cleaning/v1/events_pb.js";

// The cleaning system's domain events, by the context that publishes them (the seed's names).
// Every one is about a cleaning request: its id (the reservation id) is the saga's business key.

export const CleaningRequested = defineEvent("cleaning.reservation", CleaningRequestedSchema, (e) => e.requestId);
export const CleaningCancelRequested = defineEvent("cleaning.reservation", CleaningCancelRequestedSchema, (e) => e.requestId);
export const CleaningRequestCanceled = defineEvent("cleaning.reservation", CleaningRequestCanceledSchema, (e) => e.requestId);

export const KindRegistered = defineEvent("cleaning.paymethod", KindRegisteredSchema, (e) => e.requestId);
export const KindChanged = defineEvent("cleaning.paymethod", KindChangedSchema, (e) => e.requestId);
export const PaymethodDeleted = defineEvent("cleaning.paymethod", PaymethodDeletedSchema, (e) => e.requestId);
export const PaymethodAbandoned = defineEvent("cleaning.paymethod", PaymethodAbandonedSchema, (e) => e.requestId);

export const CleaningConfirmed = defineEvent("cleaning.cleaning", CleaningConfirmedSchema, (e) => e.requestId);
export const CleaningCompleted = defineEvent("cleaning.cleaning", CleaningCompletedSchema, (e) => e.requestId);
// The cleaner's answers to CleaningCancelRequested: the party doing the work decides.
export const cleanerAnswers = cancelAnswers("cleaning.cleaning");

export const MessageAlerted = defineEvent("cleaning.dashboard", MessageAlertedSchema, (e) => e.requestId);
