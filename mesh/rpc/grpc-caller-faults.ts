import { createRequire } from "node:module";
import { status as Status, type StatusObject } from "@grpc/grpc-js";

/**
 * grpc-js answers INTERNAL, before any handler runs, for requests that are the caller's fault:
 * a bad grpc-timeout header, a message flagged compressed that does not decompress, a message
 * that is not protobuf. INTERNAL means "the server failed": breakers, Istio's outlier detection
 * and alerts count it, so one hostile client could get a healthy pod ejected. These become
 * INVALID_ARGUMENT, by their details (a test pins the wording of the grpc-js in use).
 */
const callerFaults: Array<[RegExp, string]> = [
  [/^Invalid grpc-timeout value/, "the grpc-timeout header is not a gRPC timeout (such as 500m)"],
  [/^Failed to decompress message$/, "the request message is flagged compressed but does not decompress with its grpc-encoding"],
  [/^Error deserializing request/, "the request message is not valid protobuf"],
];

/** The status to send instead of `status`: the same, or INVALID_ARGUMENT for a caller's malformed request. */
export function reclassifyStatus(status: Partial<StatusObject> & { code: Status }): Partial<StatusObject> & { code: Status } {
  if (status.code !== Status.INTERNAL) return status;
  const fault = callerFaults.find(([pattern]) => pattern.test(status.details ?? ""));
  return fault ? { ...status, code: Status.INVALID_ARGUMENT, details: fault[1] } : status;
}

type SendStatus = (this: unknown, status: Partial<StatusObject> & { code: Status }) => void;
let installed = false;

/**
 * Routes every status grpc-js's server sends through reclassifyStatus. grpc-js offers no hook
 * for statuses it sends itself (server interceptors see only the handler's), so this wraps
 * BaseServerInterceptingCall.sendStatus, once per process.
 */
export function answerCallerFaultsAsInvalidArgument(): void {
  if (installed) return;
  installed = true;
  const require = createRequire(import.meta.url);
  const { BaseServerInterceptingCall } = require("@grpc/grpc-js/build/src/server-interceptors.js") as { BaseServerInterceptingCall?: { prototype: { sendStatus: SendStatus } } };
  const proto = BaseServerInterceptingCall?.prototype;
  if (typeof proto?.sendStatus !== "function") return; // another grpc-js: the test says so
  const original = proto.sendStatus;
  proto.sendStatus = function (status) {
    original.call(this, reclassifyStatus(status));
  };
}
