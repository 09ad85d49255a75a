/**
 * The longest correlation or causation id taken from a caller. Every column that keeps one is
 * 255 characters (outbox, payments, notifications, order steps); ids this runtime makes are 36.
 * 128 leaves room for a caller's own scheme ("checkout-2024-…") and none for a pasted document.
 */
export const maxPropagatedIdLength = 128;

// Letters, digits and the punctuation ids are made of (UUIDs, ULIDs, base64, "order:1/2"): no
// space, quote, control or non-ASCII character, which gRPC metadata, NATS headers or a log
// reader would refuse or misread.
const idCharacters = /^[A-Za-z0-9._:/+=@~-]+$/;

/** Whether `value` can be carried on as a correlation or causation id as it is. */
export function isPropagatableId(value: string): boolean {
  return value.length <= maxPropagatedIdLength && idCharacters.test(value);
}
