import type * as http from "node:http";
import type * as http2 from "node:http2";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { Code } from "@connectrpc/connect";
import type { Logger } from "../log/logger.js";
import { statusBody } from "../rest/error-body.js";
import { createRestHandler } from "../rest/rest-handler.js";
import type { MeshMetrics } from "../telemetry/metrics.js";
import { createCors } from "./cors.js";
import { createDualListener } from "./dual-listener.js";
import { maxMessageBytes, type ServedService } from "./grpc-server.js";
import type { Readiness } from "./readiness.js";

/** What the HTTP port serves: the (already wrapped) services, health and reflection among them, probes and metrics. */
export interface HttpServerOptions {
  services: ServedService[];
  /** Origins allowed to call from a browser (CORS); ["*"] for any. */
  corsAllowedOrigins?: readonly string[];
  /** Served at /openapi.json when given. */
  openApi?: object;
  readiness: Readiness;
  metrics: MeshMetrics;
  logger: Logger;
}

/** The HTTP port: REST, Connect, gRPC-Web and gRPC for browsers and tools, plus the probes and /metrics. */
export interface HttpServer {
  /** Listens on `host:port` (0 picks a free port) and resolves to the bound port. */
  listen(host: string, port: number): Promise<number>;
  /** Stops accepting, lets in-flight requests end, and cuts what is left after `timeoutMs`. */
  close(timeoutMs: number): Promise<void>;
}

type Request = http.IncomingMessage | http2.Http2ServerRequest;
type Response = http.ServerResponse | http2.Http2ServerResponse;
/** Answers the request and returns true, or returns false to let the next route try. */
type Route = (req: Request, res: Response) => boolean;

/** Creates the HTTP/1.1 + h2c server (handlers are served as given: wrap them first). */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { services, readiness, metrics, logger, corsAllowedOrigins = ["*"], openApi } = options;
  const rpc = connectNodeAdapter({
    routes(router) {
      for (const { service, impl } of services) router.service(service, impl);
    },
    connect: true,
    grpc: true,
    grpcWeb: true,
    readMaxBytes: maxMessageBytes,
    // Neither a REST route nor an RPC: say so in the same JSON shape as every other error.
    fallback: (req, res) => sendJson(res as Response, 404, statusBody(Code.NotFound, `no route for ${req.method} ${new URL(req.url ?? "/", "http://localhost").pathname}`)),
  });
  const rest = createRestHandler({ services, maxBodyBytes: maxMessageBytes, logger });

  // Routes tried in order before the RPC adapter.
  const routes: Route[] = [
    createCors(corsAllowedOrigins),
    get("/livez", (res) => sendJson(res, 200, { status: "ok" })),
    get("/readyz", (res) => sendJson(res, readiness.ready() ? 200 : 503, readiness.report())),
    get("/metrics", (res) => {
      metrics.registry.metrics().then(
        (text) => send(res, 200, metrics.registry.contentType, text),
        (error: unknown) => {
          logger.error("metrics collection failed", { error });
          send(res, 500, "text/plain; charset=utf-8", "metrics collection failed\n");
        },
      );
    }),
    ...(openApi ? [get("/openapi.json", (res) => sendJson(res, 200, openApi))] : []),
    rest,
  ];

  const listener = createDualListener((req, res) => {
    if (!routes.some((route) => route(req, res))) rpc(req, res);
  });
  return { listen: listener.listen, close: listener.close };
}

function get(path: string, answer: (res: Response) => void): Route {
  return (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    if (new URL(req.url ?? "/", "http://localhost").pathname !== path) return false;
    answer(res);
    return true;
  };
}

function sendJson(res: Response, status: number, body: unknown): void {
  send(res, status, "application/json", JSON.stringify(body));
}

function send(res: Response, status: number, contentType: string, body: string): void {
  res.statusCode = status;
  res.setHeader("content-type", contentType);
  res.setHeader("cache-control", "no-store");
  res.end(body);
}
