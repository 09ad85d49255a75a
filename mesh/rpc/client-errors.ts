import { fromBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Metadata, ServiceError } from "@grpc/grpc-js";
import { StatusSchema } from "../../gen/google/rpc/status_pb.js";

const statusDetailsKey = "grpc-status-details-bin";

/**
 * Turns a grpc-js call error into the project's one error type, keeping the code, the message
 * and the google.rpc.Status details, so `findDetails(BadRequestSchema)` works on the caller's side.
 */
export function connectErrorFromGrpc(error: Partial<ServiceError> & Error): ConnectError {
  // gRPC status numbers and Connect codes are the same numbers (1..16).
  const status: number | undefined = error.code;
  const code = status !== undefined && status > 0 && status in Code ? (status as Code) : Code.Unknown;
  const result = new ConnectError(error.details ?? error.message, code, headersOf(error.metadata), undefined, error);
  result.details = error.metadata ? detailsOf(error.metadata) : [];
  return result;
}

// Any-packed details as ConnectError stores incoming ones: type name and bytes.
function detailsOf(metadata: Metadata): ConnectError["details"] {
  const [bin] = metadata.get(statusDetailsKey);
  if (!(bin instanceof Uint8Array)) return [];
  try {
    return fromBinary(StatusSchema, bin).details.map((any) => ({
      type: any.typeUrl.slice(any.typeUrl.lastIndexOf("/") + 1),
      value: any.value,
    }));
  } catch {
    return []; // a malformed status is no reason to lose the error itself
  }
}

// Text trailers only; binary ones (the status details among them) are decoded above.
function headersOf(metadata: Metadata | undefined): Headers {
  const headers = new Headers();
  for (const [key, value] of Object.entries(metadata?.getMap() ?? {})) {
    if (typeof value !== "string") continue;
    try {
      headers.append(key, value);
    } catch {
      // not a valid HTTP header value: leave it out
    }
  }
  return headers;
}
