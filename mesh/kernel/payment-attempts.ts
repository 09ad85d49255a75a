// Paying for one order, reservation or request more than once: payment is idempotent on its
// reference, so an attempt that was undone (its answer lost, refunded, its reference a tombstone
// at payment) would decline every retry made under the same reference. Each attempt therefore
// pays under its own reference, counted by the aggregate that pays: a lost one is voided alone
// and the next is a fresh payment. The first keeps the plain id, so a single payment reads as before.

/** The reference of payment attempt `attempt` (from 1) for `id`: `id` itself first, then "<id>.2", "<id>.3", ... */
export function paymentReferenceOf(id: string, attempt: number): string {
  return attempt <= 1 ? id : `${id}.${attempt}`;
}

/** The id a payment reference pays for (the inverse of paymentReferenceOf, for ids without a "." followed by digits at the end). */
export function idOfPaymentReference(reference: string): string {
  return reference.replace(/\.\d+$/, "");
}

/** Which attempt a payment reference is: 1 for the plain id, n for "<id>.<n>"; later attempts have higher numbers. */
export function paymentAttemptOf(reference: string): number {
  const attempt = /\.(\d+)$/.exec(reference);
  return attempt ? Number(attempt[1]) : 1;
}
