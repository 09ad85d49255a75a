import { create, toBinary } from "@bufbuild/protobuf";
import { AnySchema, type Any } from "@bufbuild/protobuf/wkt";
import { ConnectError } from "@connectrpc/connect";
import { Metadata, type StatusObject } from "@grpc/grpc-js";
import { StatusSchema } from "../../gen/google/rpc/status_pb.js";
import { answeredKey } from "../errors/wire-failure.js";
import { addHeadersToMetadata } from "./grpc-metadata.js";

/** The trailer in which gRPC carries google.rpc.Status with typed error details. */
export const statusDetailsKey = "grpc-status-details-bin";

/**
 * The grpc-js status for a ConnectError: same code and message, its details as
 * google.rpc.Status in grpc-status-details-bin, its metadata plus `extra` headers as trailers, and the
 * answered mark.
 */
export function grpcStatusFromError(error: ConnectError, ...extra: Headers[]): Partial<StatusObject> {
  const metadata = new Metadata();
  for (const headers of [...extra, error.metadata]) addHeadersToMetadata(headers, metadata);
  // This server answered: the caller's breaker must not count it as a failed hop.
  metadata.set(answeredKey, "1");
  if (error.details.length > 0) {
    const status = create(StatusSchema, { code: error.code, message: error.rawMessage, details: error.details.map(packDetail) });
    metadata.set(statusDetailsKey, Buffer.from(toBinary(StatusSchema, status)));
  }
  return { code: error.code as number, details: error.rawMessage, metadata };
}

// A ConnectError detail is either one the handler created ({ desc, value }) or one it received ({ type, value: bytes }).
function packDetail(detail: ConnectError["details"][number]): Any {
  if ("desc" in detail) {
    const value = toBinary(detail.desc, create(detail.desc, detail.value));
    return create(AnySchema, { typeUrl: `type.googleapis.com/${detail.desc.typeName}`, value });
  }
  return create(AnySchema, { typeUrl: `type.googleapis.com/${detail.type}`, value: detail.value });
}
