import { create, toJson, type DescMessage, type JsonValue, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError, createHandlerContext, type HandlerContext } from "@connectrpc/connect";
import { contextFromHeaders, contextHeaderNames } from "../context/call-context.js";
import type { Logger } from "../log/logger.js";
import { abortReasons } from "../rpc/abort-reasons.js";
import type { ServedService } from "../rpc/grpc-server.js";
import { sendJson, type NodeRequest, type NodeResponse } from "../rpc/node-http.js";
import { errorBody, statusBody } from "./error-body.js";
import { httpBindings, type HttpBinding } from "./http-rules.js";
import { httpStatus } from "./http-status.js";
import { readJsonBody, RequestBodyError } from "./json-body.js";
import { decodeRequest } from "./request-decoding.js";
import { createRestRouter } from "./rest-router.js";

type AnyImpl = (input: unknown, ctx: HandlerContext) => Promise<unknown>;

export interface RestHandlerOptions {
  /** The services with their (already wrapped) handlers: REST calls go through the same chain as gRPC and Connect. */
  services: readonly ServedService[];
  /** The largest request body read, in bytes. */
  maxBodyBytes: number;
  logger: Logger;
}

/** Answers a request and returns true if its path is one of the REST routes; false lets the next handler try. */
export type RestHandler = (req: NodeRequest, res: NodeResponse, url: URL) => boolean;

/** REST from the services' google.api.http annotations: JSON in, the handler, JSON out. */
export function createRestHandler({ services, maxBodyBytes, logger }: RestHandlerOptions): RestHandler {
  const impls = new Map<HttpBinding["method"], AnyImpl>();
  for (const { service, impl } of services) {
    for (const method of service.methods) {
      const fn = (impl as Record<string, AnyImpl | undefined>)[method.localName];
      if (fn) impls.set(method, fn.bind(impl));
    }
  }
  const router = createRestRouter(httpBindings(services.map((s) => s.service)).filter((b) => impls.has(b.method)));

  return (req, res, url) => {
    const match = router.match(req.method ?? "GET", url.pathname);
    if (match.kind === "none") return false;
    if (match.kind === "method-not-allowed") {
      res.setHeader("allow", match.allowed.join(", "));
      sendJson(res, 405, statusBody(Code.Unimplemented, `${req.method} is not allowed on ${url.pathname}; use ${match.allowed.join(" or ")}`));
      return true;
    }
    const { binding, path } = match;
    const call = async () => {
      const body = binding.body === undefined ? undefined : await readJsonBody(req, maxBodyBytes);
      const input = decodeRequest(binding, path, url.searchParams, body);
      const ctx = contextFor(binding, req, res, url);
      try {
        const output = create(binding.method.output, (await impls.get(binding.method)!(input, ctx)) as MessageInitShape<DescMessage>);
        copyHeaders(ctx.responseHeader, res);
        sendJson(res, 200, responseJson(binding, output), req.method === "HEAD");
      } catch (error) {
        copyHeaders(ctx.responseHeader, res);
        throw error;
      } finally {
        ctx.abort(abortReasons().callEnded);
      }
    };
    call().catch((error: unknown) => {
      if (res.headersSent) return;
      // Refused before the handler chain gave the call its context: still quote an id to search the logs by
      // (the caller's only if the chain would have kept it: an unusable one must not reach a header).
      if (!res.hasHeader(contextHeaderNames.correlationId)) {
        const header = (name: string) => (typeof req.headers[name] === "string" ? (req.headers[name] as string) : undefined);
        res.setHeader(contextHeaderNames.correlationId, contextFromHeaders(header).correlationId);
      }
      if (error instanceof RequestBodyError) {
        // Node discards the unread rest of an oversized body after the answer, so the client, still
        // sending, reads the 413 instead of a reset connection.
        return sendJson(res, error.status, statusBody(error.code, error.message));
      }
      const failure = error instanceof ConnectError ? error : unexpected(error, logger);
      for (const [key, value] of failure.metadata) res.setHeader(key, value);
      sendJson(res, httpStatus(failure.code), errorBody(failure));
    });
    return true;
  };
}

function contextFor(binding: HttpBinding, req: NodeRequest, res: NodeResponse, url: URL) {
  const cancelled = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) cancelled.abort(abortReasons().callerCancelled);
  });
  const requestHeader = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (key.startsWith(":") || value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) requestHeader.append(key, v);
  }
  return createHandlerContext({
    service: binding.method.parent,
    method: binding.method,
    protocolName: "rest",
    requestMethod: req.method ?? "GET",
    url: url.toString(),
    requestHeader,
    requestSignal: cancelled.signal,
  });
}

// The whole response, or the one field response_body names; fields at their defaults are written
// too, so a REST caller sees every field (grpc-gateway does the same).
function responseJson(binding: HttpBinding, output: MessageShape<DescMessage>): JsonValue {
  const json = toJson(binding.method.output, output, { alwaysEmitImplicit: true });
  if (!binding.responseBody) return json;
  return (json as Record<string, JsonValue>)[binding.responseBody.jsonName] ?? null;
}

function unexpected(error: unknown, logger: Logger): ConnectError {
  logger.error("rest call failed with an unexpected error", { error: error instanceof Error ? error : new Error(String(error)) });
  return new ConnectError("internal error", Code.Internal);
}

function copyHeaders(headers: Headers, res: NodeResponse): void {
  for (const [key, value] of headers) res.setHeader(key, value);
}
