import type { Refusal } from "./decision.js";

// Cancel against fulfilment, the protocol every system shares: the customer's side asks; the
// party that holds the goods (or does the work) decides, in the same transaction as its own
// fulfilment step, so exactly one of the two wins; it answers with one of these events; the
// customer's side follows the answer, and only a confirmed cancellation is refunded.

/** The holder cancelled: nothing was or will be fulfilled, what was taken is given back. */
export interface CancelConfirmed {
  type: "CancelConfirmed";
  referenceId: string;
  reason: string;
}

/** The holder could not cancel: fulfilment came first (already delivered, already sold). */
export interface CancelRefused {
  type: "CancelRefused";
  referenceId: string;
  code: string;
  reason: string;
}

/** The holder's answer to a cancel request. */
export type CancelAnswer = CancelConfirmed | CancelRefused;

/** Confirms the cancellation of `referenceId`. */
export function cancelConfirmed(referenceId: string, reason: string): CancelConfirmed {
  return { type: "CancelConfirmed", referenceId, reason };
}

/** Refuses the cancellation of `referenceId` for the rule that fulfilment already satisfied. */
export function cancelRefused(referenceId: string, refusal: Refusal): CancelRefused {
  return { type: "CancelRefused", referenceId, code: refusal.code, reason: refusal.refused };
}
