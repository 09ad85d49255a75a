import { Code, ConnectError } from "@connectrpc/connect";

export interface AbortReasons {
  /** Ends a finished call's context (its deadline timer, its signal's listeners). */
  callEnded: ConnectError;
  deadlinePassed: ConnectError;
  callerCancelled: ConnectError;
}

let reasons: AbortReasons | undefined;

/**
 * The reasons a handler's signal aborts with, one shared set: aborting without a reason makes a
 * DOMException and a ConnectError on every call. Made at the first call, not at import: a
 * ConnectError makes a Headers, and the first Headers loads node's fetch (about 3 MB a service
 * that has served nothing yet need not hold).
 */
export function abortReasons(): AbortReasons {
  return (reasons ??= {
    callEnded: new ConnectError("the call has ended", Code.Canceled),
    deadlinePassed: new ConnectError("the operation timed out", Code.DeadlineExceeded),
    callerCancelled: new ConnectError("the caller cancelled the call", Code.Canceled),
  });
}
