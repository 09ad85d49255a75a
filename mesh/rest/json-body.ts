import type { JsonValue } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import type { NodeRequest } from "../rpc/node-http.js";
import { jsonErrorOffset } from "./json-error-offset.js";

/** A request body refused before decoding: the HTTP status, and the code and message for the Status body. */
export class RequestBodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    readonly code: Code,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads a JSON request body: undefined when there is none, the parsed value otherwise. Refuses
 * a body over `maxBytes` (413), one that is not JSON by its content type (415) or by its text
 * (400, saying the line and column).
 */
export async function readJsonBody(req: NodeRequest, maxBytes: number): Promise<JsonValue | undefined> {
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const { chunks, size } = await readAll(req, maxBytes);
  if (size === 0) return undefined;
  const type = req.headers["content-type"];
  if (!isJson(type)) {
    throw new RequestBodyError(415, Code.InvalidArgument,
      `the body must be JSON (content-type: application/json), not ${type ? JSON.stringify(type) : "an undeclared type"}`);
  }
  const bytes = Buffer.concat(chunks, size);
  const text = bytes.toString("utf8");
  // Decoding replaces bytes that are not UTF-8 with U+FFFD: refuse them instead of storing the damage.
  const invalidAt = firstInvalidUtf8(bytes, text);
  if (invalidAt >= 0) throw new RequestBodyError(400, Code.InvalidArgument, `the body is not valid UTF-8 (at byte ${invalidAt})`);
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    throw new RequestBodyError(400, Code.InvalidArgument, `the body is not valid JSON: ${where(text)}`);
  }
}

// Not `for await`: leaving it early destroys the request, and with it the connection the 413 must go out on.
function readAll(req: NodeRequest, maxBytes: number): Promise<{ chunks: Buffer[]; size: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      req.off("data", onData);
      req.resume(); // discard the rest
      reject(tooLarge(maxBytes));
    };
    req.on("data", onData);
    req.once("end", () => resolve({ chunks, size }));
    req.once("error", reject);
  });
}

// The byte offset of the first sequence that is not UTF-8, or -1. A U+FFFD in the text is either
// sent as such (EF BF BD) or a replacement; the prefix before it re-encodes to the same bytes.
function firstInvalidUtf8(bytes: Buffer, text: string): number {
  let at = 0; // the byte offset of text[from]
  let from = 0;
  for (let i = text.indexOf("\ufffd"); i >= 0; i = text.indexOf("\ufffd", i + 1)) {
    at += Buffer.byteLength(text.slice(from, i));
    from = i;
    if (bytes[at] !== 0xef || bytes[at + 1] !== 0xbf || bytes[at + 2] !== 0xbd) return at;
  }
  return -1;
}

function tooLarge(maxBytes: number): RequestBodyError {
  return new RequestBodyError(413, Code.ResourceExhausted, `the body is larger than ${maxBytes} bytes`);
}

function isJson(type: string | undefined): boolean {
  const mediaType = type?.split(";")[0].trim().toLowerCase();
  return mediaType === "application/json" || (mediaType?.startsWith("application/") === true && mediaType.endsWith("+json"));
}

// The reason without V8's own position or excerpt, and the place as a line and column people can find.
function where(text: string): string {
  const offset = jsonErrorOffset(text);
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  const found = offset >= text.length ? "the text ends too soon" : `unexpected ${JSON.stringify(text[offset])}`;
  return `${found} at line ${line}, column ${column}`;
}
