import { create, fromBinary, toBinary, type DescMethodUnary } from "@bufbuild/protobuf";
import { Code, ConnectError, createContextValues, type HandlerContext } from "@connectrpc/connect";
import { codeToHttpStatus, errorToJsonBytes } from "@connectrpc/connect/protocol-connect";
import { answeredKey } from "../errors/wire-failure.js";
import { abortReasons } from "./abort-reasons.js";
import { isConnectionHeader } from "./connection-headers.js";
import { LazyAbort } from "./lazy-abort.js";
import type { Logger } from "../log/logger.js";
import type { ServedService } from "./grpc-server.js";
import type { NodeRequest, NodeResponse } from "./node-http.js";

/**
 * The Connect protocol's unary call with a binary body, served directly: the way services call
 * each other (mesh/rpc/connect-sender.ts), and every Connect client's binary unary call.
 * connect-node's adapter costs about ten times the HTTP/1.1 exchange itself for such a call; this
 * path does only what the protocol asks. Anything else (JSON, GET, compression, a timeout it cannot
 * read, a body without a length) is left to the adapter, which speaks the whole protocol.
 */
export type ConnectUnaryRoute = (req: NodeRequest, res: NodeResponse) => boolean;

type UnaryImpl = (input: unknown, ctx: HandlerContext) => Promise<unknown>;
interface Target {
  method: DescMethodUnary;
  fn: UnaryImpl;
}

const timeoutHeader = /^\d{1,10}$/;

/** Routes for the unary methods of `services` (already wrapped by the handler chain). */
export function createConnectUnaryRoute(services: readonly ServedService[], maxBytes: number, logger: Logger): ConnectUnaryRoute {
  const targets = new Map<string, Target>();
  for (const { service, impl } of services) {
    for (const method of service.methods) {
      const fn = (impl as Record<string, UnaryImpl | undefined>)[method.localName];
      if (method.methodKind === "unary" && fn) targets.set(`/${service.typeName}/${method.name}`, { method: method as DescMethodUnary, fn: fn.bind(impl) });
    }
  }
  return (req, res) => {
    if (req.method !== "POST" || req.headers["content-type"] !== "application/proto") return false;
    const target = targets.get(req.url ?? "");
    if (!target) return false;
    const { "content-length": length, "content-encoding": encoding, "connect-timeout-ms": timeout } = req.headers;
    const bytes = Number(length);
    if (!length || !(bytes <= maxBytes)) return false;
    if (encoding !== undefined && encoding !== "identity") return false;
    if (timeout !== undefined && !timeoutHeader.test(timeout as string)) return false;
    readBody(req, bytes, (body) => void serve(target, req, res, body, timeout === undefined ? undefined : Number(timeout), logger));
    return true;
  };
}

function readBody(req: NodeRequest, length: number, done: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => done(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length)));
}

async function serve(target: Target, req: NodeRequest, res: NodeResponse, body: Buffer, timeoutMs: number | undefined, logger: Logger): Promise<void> {
  const { method, fn } = target;
  // At the deadline the caller hears DeadlineExceeded at once, though the handler may still run.
  const ctx = handlerContext(method, req, res, timeoutMs, () => answerError(res, abortReasons().deadlinePassed, ctx));
  try {
    let input;
    try {
      input = fromBinary(method.input, body);
    } catch (err) {
      throw new ConnectError(`the request message is not valid protobuf: ${err instanceof Error ? err.message : String(err)}`, Code.InvalidArgument);
    }
    const output = toBinary(method.output, create(method.output, (await fn(input, ctx)) as never));
    if (res.headersSent || res.destroyed) return;
    res.statusCode = 200;
    setAll(res, ctx.responseHeader);
    setAll(res, ctx.responseTrailer, "trailer-");
    res.setHeader("content-type", "application/proto");
    res.setHeader("content-length", output.byteLength);
    res.end(output);
  } catch (err) {
    answerError(res, err instanceof ConnectError ? err : unexpected(err, logger), ctx);
  } finally {
    ctx.end();
  }
}

// A Connect unary error: the HTTP status of its code and the error as JSON.
function answerError(res: NodeResponse, error: ConnectError, ctx: Context): void {
  if (res.headersSent || res.destroyed) return;
  const json = errorToJsonBytes(error, {});
  res.statusCode = codeToHttpStatus(error.code);
  setAll(res, ctx.responseHeader);
  setAll(res, error.metadata);
  setAll(res, ctx.responseTrailer, "trailer-");
  // The caller's proof that this server chose the status: a proxy's 503 never carries it.
  res.setHeader(answeredKey, "1");
  res.setHeader("content-type", "application/json");
  res.setHeader("content-length", json.byteLength);
  res.end(json);
}

type Context = HandlerContext & { responseHeader: Headers; responseTrailer: Headers; end(): void };

// What connect-es's createHandlerContext gives, with one abort signal per call instead of three
// linked ones (deadline, request, shutdown), and that one made only if read (LazyAbort): a handler
// that forwards it, an error being mapped. Most calls never read it.
function handlerContext(method: DescMethodUnary, req: NodeRequest, res: NodeResponse, timeoutMs: number | undefined, onDeadline: () => void): Context {
  return new UnaryContext(method, req, res, timeoutMs, onDeadline);
}

class UnaryContext implements Context {
  readonly protocolName = "connect";
  readonly requestMethod = "POST";
  readonly service: DescMethodUnary["parent"];
  readonly url: string;
  readonly requestHeader: Headers;
  readonly responseHeader = new Headers();
  readonly responseTrailer = new Headers();
  readonly values = createContextValues();
  private readonly cancelled = new LazyAbort();
  private readonly deadline: number | undefined;
  private readonly timer: ReturnType<typeof setTimeout> | undefined;

  constructor(readonly method: DescMethodUnary, req: NodeRequest, private readonly res: NodeResponse, timeoutMs: number | undefined, onDeadline: () => void) {
    this.service = method.parent;
    this.url = req.url ?? "";
    this.requestHeader = headersOf(req);
    res.once("close", this.onClose);
    if (timeoutMs !== undefined) {
      this.deadline = Date.now() + timeoutMs;
      this.timer = setTimeout(() => {
        this.cancelled.abort(abortReasons().deadlinePassed);
        onDeadline();
      }, timeoutMs);
    }
  }

  get signal(): AbortSignal {
    return this.cancelled.signal;
  }

  private readonly onClose = () => {
    if (!this.res.writableFinished) this.cancelled.abort(abortReasons().callerCancelled);
  };

  timeoutMs(): number | undefined {
    return this.deadline === undefined ? undefined : this.deadline - Date.now();
  }

  end(): void {
    clearTimeout(this.timer);
    this.res.off("close", this.onClose);
  }
}

// The handler chain maps every handler error; what is left is this path's own (an answer that does not encode).
function unexpected(err: unknown, logger: Logger): ConnectError {
  logger.error("connect unary path failed", { error: err instanceof Error ? err : new Error(String(err)) });
  return new ConnectError("internal error", Code.Internal, undefined, undefined, err);
}


// Pseudo-headers (HTTP/2) and hop-by-hop ones are not the call's.
function headersOf(req: NodeRequest): Headers {
  const headers = new Headers();
  const raw = req.headers;
  for (const name in raw) {
    if (name.charCodeAt(0) === 58 /* ":" */) continue;
    const value = raw[name];
    if (typeof value === "string") headers.set(name, value);
    else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
  }
  return headers;
}

function setAll(res: NodeResponse, headers: Headers, prefix = ""): void {
  headers.forEach((value, name) => {
    if (isConnectionHeader(name)) return;
    try {
      res.setHeader(prefix + name, value);
    } catch {
      // not a value HTTP allows: left out rather than failing the call
    }
  });
}
