import { connectNodeAdapter } from "@connectrpc/connect-node";
import { Code } from "@connectrpc/connect";
import type { Logger } from "../log/logger.js";
import { statusBody } from "../rest/error-body.js";
import { createRestHandler } from "../rest/rest-handler.js";
import type { MeshMetrics } from "../telemetry/metrics.js";
import { reclassifyCallerFaults } from "./connect-caller-faults.js";
import { createConnectUnaryRoute } from "./connect-unary.js";
import { createCors } from "./cors.js";
import { createDualListener } from "./dual-listener.js";
import { maxMessageBytes, type ServedService } from "./grpc-server.js";
import { requestUrl, sendJson as writeJson, type NodeRequest, type NodeResponse } from "./node-http.js";
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

// One rule with REST: an unknown field is refused, not dropped; JSON that is not UTF-8 too, not
// stored with U+FFFD in place of its bytes (connect-es reads `textDecoder` here; its types omit it).
const strictJson = { ignoreUnknownFields: false, textDecoder: new TextDecoder("utf-8", { fatal: true }) } as { ignoreUnknownFields: boolean };

/** Answers the request and returns true, or returns false to let the next route try. */
type Route = (req: NodeRequest, res: NodeResponse, url: URL) => boolean;

/** Creates the HTTP/1.1 + h2c server (handlers are served as given: wrap them first). */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { services, readiness, metrics, logger, corsAllowedOrigins = ["*"], openApi } = options;
  const rpc = connectNodeAdapter({
    routes(router) {
      for (const { service, impl } of services) router.service(service, impl);
      router.handlers.forEach((handler, i) => (router.handlers[i] = reclassifyCallerFaults(handler)));
    },
    connect: true,
    grpc: true,
    grpcWeb: true,
    readMaxBytes: maxMessageBytes,
    jsonOptions: strictJson,
    // Neither a REST route nor an RPC: say so in the same JSON shape as every other error.
    fallback: (req, res) => sendJson(res as NodeResponse, 404, statusBody(Code.NotFound, `no route for ${req.method} ${requestUrl(req).pathname}`)),
  });
  const rest = createRestHandler({ services, maxBodyBytes: maxMessageBytes, logger });
  const openApiText = openApi && JSON.stringify(openApi); // once, not per request

  // Routes tried in order before the RPC adapter.
  const routes: Route[] = [
    createCors(corsAllowedOrigins),
    createConnectUnaryRoute(services, maxMessageBytes, logger),
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
    ...(openApiText ? [get("/openapi.json", (res) => send(res, 200, "application/json", openApiText))] : []),
    rest,
  ];

  const listener = createDualListener((req, res) => {
    const url = requestUrl(req); // parsed once for every route
    if (!routes.some((route) => route(req, res, url))) rpc(req, res);
  });
  return { listen: listener.listen, close: listener.close };
}

function get(path: string, answer: (res: NodeResponse) => void): Route {
  return (req, res, url) => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    if (url.pathname !== path) return false;
    answer(res);
    return true;
  };
}

// The port's own answers (probes, metrics, 404s) are never to be cached.
function sendJson(res: NodeResponse, status: number, body: unknown): void {
  res.setHeader("cache-control", "no-store");
  writeJson(res, status, body);
}

function send(res: NodeResponse, status: number, contentType: string, body: string): void {
  res.statusCode = status;
  res.setHeader("content-type", contentType);
  res.setHeader("cache-control", "no-store");
  res.end(body);
}
