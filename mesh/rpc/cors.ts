import { cors as connectCors } from "@connectrpc/connect";
import { contextHeaderNames } from "../context/call-context.js";
import type { NodeRequest, NodeResponse } from "./node-http.js";

const methods = [...new Set([...connectCors.allowedMethods, "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])].join(", ");
const allowedHeaders = [...connectCors.allowedHeaders, ...Object.values(contextHeaderNames), "Authorization"].join(", ");
const exposedHeaders = [...connectCors.exposedHeaders, contextHeaderNames.correlationId].join(", ");

/**
 * CORS for browsers (Connect, gRPC-Web and REST from a page on another origin): answers
 * preflights and marks responses for allowed origins. `origins` is ["*"] or exact origins.
 * Returns true when it answered the request itself (a preflight).
 */
export function createCors(origins: readonly string[]): (req: NodeRequest, res: NodeResponse) => boolean {
  const any = origins.includes("*");
  return (req, res) => {
    const origin = req.headers.origin;
    if (!origin) return false;
    const allowed = any || origins.includes(origin);
    const preflight = req.method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined;
    res.setHeader("vary", "Origin");
    if (allowed) {
      res.setHeader("access-control-allow-origin", any ? "*" : origin);
      res.setHeader("access-control-expose-headers", exposedHeaders);
    }
    if (!preflight) return false;
    if (allowed) {
      res.setHeader("access-control-allow-methods", methods);
      res.setHeader("access-control-allow-headers", allowedHeaders);
      res.setHeader("access-control-max-age", "7200");
    }
    // Without the allow-origin header the browser refuses the real request; nothing else to say.
    res.statusCode = 204;
    res.end();
    return true;
  };
}
