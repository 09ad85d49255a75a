import { eventsOf, table, text, timestamp } from "../../../mesh/index.js";
import { CleaningCompleted, CleaningConfirmed, cleanerAnswers } from "../events.js";
import type { Cleaning, CleaningEvent, CleaningStatus } from "./domain.js";

/** The cleaner's jobs, one per request (a canceled one may be a tombstone). */
export const cleanings = table<Cleaning, CleaningEvent>("cleanings", {
  id: text(64).key(), requestId: text(64).unique(), place: text(300), requestDate: text(10), status: text<CleaningStatus>(24),
  createdAt: timestamp(), completedAt: timestamp().optional(), canceledAt: timestamp().optional(),
}, {
  resource: "cleaning",
  events: eventsOf<CleaningEvent>()({ CleaningConfirmed, CleaningCompleted, ...cleanerAnswers }),
  indexes: [["createdAt", "id"], ["status", "createdAt"]],
});
