import { newId, on, policy, type Policy, type Repository } from "../../../mesh/index.js";
import { CleaningCancelRequested, KindRegistered } from "../events.js";
import { confirmCleaning, decideCancel, type Cleaning, type CleaningEvent } from "./domain.js";

// Reactions of the cleaner to the paymethod's and the reservation's events (inbound adapter).

/** Creates the cleaner's policies. */
export function createCleaningPolicies(cleanings: Repository<Cleaning, CleaningEvent>): Policy[] {
  return [
    policy("confirmCleaningWhenKindRegistered", on(KindRegistered, async ({ message: { requestId, place, requestDate } }, tx) => {
      await cleanings.apply(tx, { requestId }, (existing) => confirmCleaning(existing, { id: newId(), requestId, place, requestDate }, new Date()));
    })),
    // The cleaner does the work, so the cleaner answers the customer's cancel request.
    policy("decideCancelWhenCleaningCancelRequested", on(CleaningCancelRequested, async ({ message: { requestId, reason } }, tx) => {
      await cleanings.apply(tx, { requestId }, (existing) => decideCancel(existing, { id: newId(), requestId, reason }, new Date()));
    })),
  ];
}
