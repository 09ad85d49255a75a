import { fromBinary, toBinary, type DescMessage, type DescMethodUnary, type MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { codeFromHttpStatus, errorFromJsonBytes } from "@connectrpc/connect/protocol-connect";
import type { IncomingHttpHeaders } from "node:http";
import type { Dispatcher, Pool } from "undici";
import { isConnectionHeader } from "./connection-headers.js";
import { markNoConnection } from "./never-sent.js";
import type { Attempt } from "./resilience.js";
import type { Sender, Transport } from "./transport.js";

/** Error answers are small JSON; a bigger body is not one and is not read further. */
const maxErrorBytes = 64 * 1024;

// A refused or unresolvable connection never carried the request; anything later may have.
const noConnectionCodes = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"]);

/**
 * Calls over the Connect protocol (unary, binary) on HTTP/1.1 keep-alive connections to the
 * dependency's HTTP port: measured on this project's bench at several times the calls per CPU
 * second of a grpc-js channel (one HTTP/2 stream per call), and an HTTP status a sidecar's
 * outlier detection counts (503 for Unavailable).
 */
export function connectTransport(address: string, options: { connections: number }): Transport {
  // undici is loaded at the first call: a service that is never asked to call keeps its memory (about 4 MB).
  let pool: Pool | undefined;
  let opened: Promise<Pool> | undefined;
  let closed = false;
  const open = (): Promise<Pool> => (opened ??= import("undici").then(({ Pool }) => {
    pool = new Pool(`http://${address}`, {
      connections: options.connections,
      pipelining: 1,
      // Shorter than the server's keep-alive (node's 5 s), so an idle connection is not reused as the server closes it.
      keepAliveTimeout: 4_000,
      connectTimeout: 2_000,
    });
    if (closed) void pool.destroy().catch(() => undefined);
    return pool;
  }));
  return {
    sender: (method) => createConnectSender(() => pool ?? open(), method),
    close: () => {
      closed = true;
      void pool?.destroy().catch(() => undefined);
    },
  };
}

function createConnectSender(poolOf: () => Pool | Promise<Pool>, method: DescMethodUnary): Sender {
  const path = `/${method.parent.typeName}/${method.name}`;
  return async (message, headers, attempt) => {
    const pool = poolOf();
    return send(pool instanceof Promise ? await pool : pool, path, method, message, headers, attempt);
  };
}

// One attempt through the dispatcher's own handler API: no response stream per call, which costs more than the call.
function send(pool: Pool, path: string, method: DescMethodUnary, message: MessageShape<DescMessage>, headers: Record<string, string>, attempt: Attempt): Promise<MessageShape<DescMessage>> {
  return new Promise((resolve, reject) => {
    let status = 0;
    let answer: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    let size = 0;
    let controller: Dispatcher.DispatchController | undefined;
    let aborted: { reason: Error } | undefined;
    const settle = attempt.onAbort((reason) => {
      aborted = { reason: reason as Error };
      controller?.abort(reason as Error);
    });
    pool.dispatch(
      {
        path,
        method: "POST",
        headers: {
          ...headers,
          "content-type": "application/proto",
          "connect-protocol-version": "1",
          "connect-timeout-ms": String(Math.max(1, Math.ceil(attempt.timeoutMs))),
        },
        body: toBinary(method.input, message),
      },
      {
        onRequestStart(c) {
          controller = c;
          if (aborted) c.abort(aborted.reason);
        },
        onResponseStart(_c, statusCode, responseHeaders) {
          status = statusCode;
          answer = responseHeaders;
        },
        onResponseData(c, chunk) {
          size += chunk.byteLength;
          if (status !== 200 && size > maxErrorBytes) return; // not a Connect error: judged by its status alone
          chunks.push(chunk);
        },
        onResponseEnd() {
          settle();
          const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
          if (status === 200 && answer["content-type"] === "application/proto") {
            try {
              resolve(fromBinary(method.output, body) as MessageShape<DescMessage>);
            } catch (error) {
              reject(new ConnectError(`the answer is not a valid ${method.output.typeName}`, Code.Internal, undefined, undefined, error));
            }
          } else reject(errorAnswer(status, answer, body, size));
        },
        onResponseError(_c, error) {
          settle();
          reject(aborted ? aborted.reason : wireError(error));
        },
      },
    );
  });
}

// A Connect error is JSON that says its code; anything else (a proxy's page, an empty 503) is
// judged by its HTTP status, as the protocol says.
function errorAnswer(status: number, headers: IncomingHttpHeaders, body: Buffer, size: number): ConnectError {
  const metadata = headersFrom(headers);
  const fallback = new ConnectError(`HTTP ${status}`, codeFromHttpStatus(status), metadata);
  if (!String(headers["content-type"] ?? "").startsWith("application/json") || size > maxErrorBytes) return fallback;
  try {
    return errorFromJsonBytes(body, metadata, fallback);
  } catch {
    return fallback;
  }
}

// The HTTP exchange's own headers, not the error's metadata: an error passed on carries only what the server meant.
const exchangeHeaders = (name: string) => isConnectionHeader(name) || /^(content-(type|length|encoding)|date|server|vary|access-control-.*)$/.test(name);

function headersFrom(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (exchangeHeaders(name)) continue;
    try {
      if (typeof value === "string") headers.set(name, value);
      else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    } catch {
      // not a valid header value: leave it out
    }
  }
  return headers;
}

// The connection failed under the call: Unavailable, as grpc-js says it; marked when the request
// cannot have been written (nothing to undo then). (An abort never comes here: the attempt's own
// signal says why, and the sender rejects with that.)
function wireError(error: unknown): ConnectError {
  const err = error as { code?: string; message?: string; cause?: { code?: string } };
  const code = err?.code ?? err?.cause?.code;
  const failure = new ConnectError(`connection to the dependency failed: ${err?.message ?? String(error)}`, Code.Unavailable, undefined, undefined, error);
  if (code && noConnectionCodes.has(code)) markNoConnection(failure);
  return failure;
}
