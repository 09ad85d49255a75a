import { Metadata } from "@grpc/grpc-js";
import { decodeBinaryHeader, encodeBinaryHeader } from "@connectrpc/connect";
import { isConnectionHeader } from "./connection-headers.js";

/** Incoming grpc-js metadata as Fetch Headers, so that handlers read one header type on both ports ("-bin" values base64). */
export function headersFromMetadata(metadata: Metadata): Headers {
  const headers = new Headers();
  for (const [key, values] of Object.entries(metadata.toJSON())) {
    for (const value of values ?? []) {
      headers.append(key, typeof value === "string" ? value : encodeBinaryHeader(value));
    }
  }
  return headers;
}

// Headers grpc-js or HTTP/2 write themselves, and the connection's: a handler, or an error passed
// on from a dependency, must not set them as metadata.
const reserved = (key: string) => /^(grpc-|:|content-type$)/.test(key) || isConnectionHeader(key);

/** Adds handler-set Fetch Headers to outgoing grpc-js metadata, skipping names only the transport may set. */
export function addHeadersToMetadata(headers: Headers, metadata: Metadata = new Metadata()): Metadata {
  headers.forEach((value, key) => {
    if (reserved(key)) return;
    try {
      if (key.endsWith("-bin")) {
        for (const part of value.split(/,\s*/)) metadata.add(key, Buffer.from(decodeBinaryHeader(part)));
      } else {
        metadata.add(key, value);
      }
    } catch {
      // An invalid metadata key or value is dropped rather than failing the call.
    }
  });
  return metadata;
}
