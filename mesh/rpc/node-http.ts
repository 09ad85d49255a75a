import type * as http from "node:http";
import type * as http2 from "node:http2";

/** A request as node:http and node:http2 (compatibility API) both hand it over. */
export type NodeRequest = http.IncomingMessage | http2.Http2ServerRequest;
/** The response to a NodeRequest. */
export type NodeResponse = http.ServerResponse | http2.Http2ServerResponse;

/** The request's URL (only its path and query mean anything: the host is a placeholder). */
export function requestUrl(req: NodeRequest): URL {
  return new URL(req.url ?? "/", "http://localhost");
}

/** Answers with `body` as JSON; `headOnly` leaves the body out (HEAD). */
export function sendJson(res: NodeResponse, status: number, body: unknown, headOnly = false): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader("content-type", "application/json");
  res.setHeader("content-length", Buffer.byteLength(text));
  if (headOnly) res.end();
  else res.end(text);
}
