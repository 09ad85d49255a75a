// The cleaner's jobs: scheduled once a request is paid, completed by the cleaner, called off when
// the customer cancels first. The cleaner does the work, so the cleaner decides a cancel against
// finishing it, under the job's lock. Pure.
import { cancelConfirmed, cancelRefused, decide, refuse, type CancelAnswer, type Decision, type Outcome } from "../../../mesh/kernel/index.js";

export type CleaningStatus = "CleaningConfirmed" | "CleaningCompleted" | "CleaningCanceled";

export interface Cleaning {
  id: string;
  requestId: string;
  place: string;
  requestDate: string;
  status: CleaningStatus;
  createdAt: Date;
  completedAt?: Date;
  canceledAt?: Date;
}

export type CleaningEvent =
  | { type: "CleaningConfirmed"; cleaningId: string; requestId: string; place: string; requestDate: string }
  | { type: "CleaningCompleted"; cleaningId: string; requestId: string }
  | CancelAnswer;

/**
 * Step 3: a paid request gets its job (CleaningConfirmed). A request cancelled before it was paid
 * left a tombstone, and one already scheduled is not scheduled twice.
 */
export function confirmCleaning(existing: Cleaning | undefined, job: Pick<Cleaning, "id" | "requestId" | "place" | "requestDate">, now: Date): Decision<Cleaning, CleaningEvent> {
  if (existing) return decide(existing);
  const cleaning: Cleaning = { ...job, status: "CleaningConfirmed", createdAt: now };
  const { id: cleaningId, requestId, place, requestDate } = cleaning;
  return decide(cleaning, { type: "CleaningConfirmed", cleaningId, requestId, place, requestDate });
}

/** The cleaner's "completed": once; a job called off cannot complete. */
export function completeCleaning(cleaning: Cleaning, now: Date): Outcome<Cleaning, CleaningEvent> {
  if (cleaning.status === "CleaningCompleted") return decide(cleaning);
  if (cleaning.status === "CleaningCanceled") return refuse("CLEANING_CANCELED", `cleaning ${cleaning.id} was called off: its request was cancelled`);
  return decide({ ...cleaning, status: "CleaningCompleted", completedAt: now }, { type: "CleaningCompleted", cleaningId: cleaning.id, requestId: cleaning.requestId });
}

/**
 * Step 4: the customer asks to cancel. A scheduled job is called off; with none yet, a tombstone
 * keeps a late KindRegistered from scheduling one; a completed one is refused. Each answer is an
 * event, and a redelivered request is answered the same, changing nothing.
 */
export function decideCancel(existing: Cleaning | undefined, request: { id: string; requestId: string; reason: string }, now: Date): Decision<Cleaning, CleaningEvent> {
  const { requestId, reason } = request;
  if (!existing) return decide({ id: request.id, requestId, place: "", requestDate: "", status: "CleaningCanceled", createdAt: now, canceledAt: now }, cancelConfirmed(requestId, reason));
  if (existing.status === "CleaningCompleted") return decide(existing, cancelRefused(requestId, refuse("ALREADY_COMPLETED", "the cleaning is already completed")));
  if (existing.status === "CleaningCanceled") return decide(existing, cancelConfirmed(requestId, reason));
  return decide<Cleaning, CleaningEvent>({ ...existing, status: "CleaningCanceled", canceledAt: now }, cancelConfirmed(requestId, reason));
}
