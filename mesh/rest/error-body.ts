import { create, createRegistry, fromBinary, toJson, type DescMessage, type JsonObject } from "@bufbuild/protobuf";
import { base64Encode } from "@bufbuild/protobuf/wire";
import type { Code, ConnectError } from "@connectrpc/connect";
import { file_google_rpc_error_details } from "../../gen/google/rpc/error_details_pb.js";

// Details arriving from another service are bytes and a type name: these are the ones we can show as JSON.
const knownDetails = createRegistry(file_google_rpc_error_details);
const typeUrlPrefix = "type.googleapis.com/";

/**
 * An error as REST callers get it: google.rpc.Status in protobuf JSON, `{"code": 3, "message":
 * "...", "details": [{"@type": "type.googleapis.com/google.rpc.BadRequest", ...}]}`, the form
 * grpc-gateway and Google's APIs use, so any protobuf JSON parser can read it back.
 */
export function errorBody(error: ConnectError): JsonObject {
  return { code: error.code, message: error.rawMessage, details: error.details.map(detailJson) };
}

/** A Status body for what the REST layer refuses itself (unknown path, wrong content type...). */
export function statusBody(code: Code, message: string): JsonObject {
  return { code, message, details: [] };
}

function detailJson(detail: ConnectError["details"][number]): JsonObject {
  if ("desc" in detail) return withType(detail.desc, toJson(detail.desc, create(detail.desc, detail.value)) as JsonObject);
  const desc = knownDetails.getMessage(detail.type);
  if (!desc) return { "@type": typeUrlPrefix + detail.type, value: base64Encode(detail.value) };
  return withType(desc, toJson(desc, fromBinary(desc, detail.value)) as JsonObject);
}

function withType(desc: DescMessage, json: JsonObject): JsonObject {
  return { "@type": typeUrlPrefix + desc.typeName, ...json };
}
