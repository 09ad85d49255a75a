import type { UniversalHandler, UniversalServerResponse } from "@connectrpc/connect/protocol";

// connect-es answers Internal when a request message is not protobuf ("parse binary: ...", its
// JSON errors are InvalidArgument already), is flagged compressed without an encoding, or is gzip
// cut short (zlib's other errors are InvalidArgument already). All are
// the caller's fault; Internal would be counted as this server failing (a 500 on Connect, which
// Istio's outlier detection counts). Matched by connect-es's wording: a test pins it.
const callerFaults: Array<[RegExp, string]> = [
  [/^parse binary: (.*)$/s, "the request message is not valid protobuf: $1"],
  [/^received compressed envelope, but do not know how to decompress$/, "a request message is flagged compressed but the request names no encoding"],
  [/^decompression failed$/, "the request does not decompress with the encoding it names"],
];

function asCallerFault(message: string): string | undefined {
  const fault = callerFaults.find(([pattern]) => pattern.test(message));
  return fault && message.replace(fault[0], fault[1]);
}

/**
 * Wraps a connect-es handler so that its answer to a malformed request message is
 * INVALID_ARGUMENT (400 on Connect), on all of Connect, gRPC and gRPC-Web. connect-es parses the
 * message before any interceptor runs, so the answer is corrected on its way out.
 */
export function reclassifyCallerFaults(handler: UniversalHandler): UniversalHandler {
  const wrapped = async (req: Parameters<UniversalHandler>[0]) => correct(await handler(req));
  return Object.assign(wrapped, handler);
}

async function correct(res: UniversalServerResponse): Promise<UniversalServerResponse> {
  const type = res.header?.get("content-type") ?? "";
  if (type.startsWith("application/json") && res.status === 500) return correctConnectUnary(res);
  if (/^application\/grpc-web/.test(type)) return withBody(res, (chunk) => correctEnvelope(chunk, 0x80, grpcWebTrailer));
  if (/^application\/grpc/.test(type)) {
    if (!res.body) return correctTrailer(res), res;
    return withBody(res, undefined, () => correctTrailer(res));
  }
  if (/^application\/connect\+/.test(type)) return withBody(res, (chunk) => correctEnvelope(chunk, 0x02, connectEndStream));
  return res;
}

// Connect unary: the whole error is one small JSON body.
async function correctConnectUnary(res: UniversalServerResponse): Promise<UniversalServerResponse> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of res.body ?? []) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  const same = { ...res, body: (async function* () { yield body; })() };
  if (res.header?.has("content-encoding")) return same;
  let error: { code?: unknown; message?: unknown };
  try {
    error = JSON.parse(body.toString("utf8"));
  } catch {
    return same;
  }
  const message = error.code === "internal" && typeof error.message === "string" ? asCallerFault(error.message) : undefined;
  if (!message) return same;
  const fixed = Buffer.from(JSON.stringify({ ...error, code: "invalid_argument", message }));
  res.header?.set("content-length", String(fixed.byteLength));
  return { ...res, status: 400, body: (async function* () { yield fixed; })() };
}

// gRPC: the status travels in trailers, filled in while the body is written.
function correctTrailer(res: UniversalServerResponse): void {
  const trailer = res.trailer;
  if (trailer?.get("grpc-status") !== "13") return;
  const message = asCallerFault(decodeURIComponent(trailer.get("grpc-message") ?? ""));
  if (!message) return;
  trailer.set("grpc-status", "3");
  trailer.set("grpc-message", encodeURIComponent(message));
}

// gRPC-Web: the trailers are the last envelope (flag 0x80), "grpc-status: 13\r\ngrpc-message: ...".
function grpcWebTrailer(text: string): string | undefined {
  if (!/^grpc-status: ?13\r?$/m.test(text)) return undefined;
  const encoded = /^grpc-message: ?(.*?)\r?$/m.exec(text)?.[1] ?? "";
  const message = asCallerFault(decodeURIComponent(encoded));
  if (!message) return undefined;
  return text.replace(/^grpc-status: ?13/m, "grpc-status: 3").replace(encoded, encodeURIComponent(message));
}

// Connect streaming: the end of the stream (flag 0x02) is JSON: {"error": {"code": "internal", ...}}.
function connectEndStream(text: string): string | undefined {
  try {
    const end = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    const message = end.error?.code === "internal" && typeof end.error.message === "string" ? asCallerFault(end.error.message) : undefined;
    return message ? JSON.stringify({ ...end, error: { ...end.error, code: "invalid_argument", message } }) : undefined;
  } catch {
    return undefined;
  }
}

// One chunk is one envelope (connect-es joins each): rewrite it if it is the flagged, uncompressed last one.
function correctEnvelope(chunk: Uint8Array, flag: number, rewrite: (text: string) => string | undefined): Uint8Array {
  if (chunk.byteLength < 5 || chunk[0] !== flag) return chunk;
  const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (bytes.readUInt32BE(1) !== bytes.byteLength - 5) return chunk;
  const text = rewrite(bytes.subarray(5).toString("utf8"));
  if (text === undefined) return chunk;
  const payload = Buffer.from(text, "utf8");
  const head = Buffer.alloc(5);
  head[0] = flag;
  head.writeUInt32BE(payload.byteLength, 1);
  return Buffer.concat([head, payload]);
}

// The same body, each chunk passed through `map`, `done` called after the last; throw and return
// still reach the handler's iterator (connect-es reports write errors to it that way).
function withBody(res: UniversalServerResponse, map?: (chunk: Uint8Array) => Uint8Array, done?: () => void): UniversalServerResponse {
  const body = res.body;
  if (!body) return res;
  return {
    ...res,
    body: {
      [Symbol.asyncIterator]() {
        const it = body[Symbol.asyncIterator]();
        return {
          async next() {
            const step = await it.next();
            if (step.done) done?.();
            else if (map) return { done: false, value: map(step.value) };
            return step;
          },
          throw: it.throw && ((e?: unknown) => it.throw!(e)),
          return: it.return && ((v?: unknown) => it.return!(v)),
        };
      },
    },
  };
}
