import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";
import type { NodeRequest, NodeResponse } from "./node-http.js";

/** A request handler that both node:http and node:http2 (compatibility API) can call. */
export type DualHandler = (req: NodeRequest, res: NodeResponse) => void;

/** One TCP port for HTTP/1.1 (curl, browsers, Kubernetes probes) and h2c (gRPC, Connect over HTTP/2). */
export interface DualListener {
  /** Listens on `host:port` (0 picks a free port) and resolves to the bound port. */
  listen(host: string, port: number): Promise<number>;
  /**
   * Stops accepting, lets in-flight requests end, closes idle keep-alive sockets and sends GOAWAY
   * to HTTP/2 sessions; destroys whatever is still open after `timeoutMs`.
   */
  close(timeoutMs: number): Promise<void>;
}

// Like node's headersTimeout: how long a new connection may stay silent before it is dropped.
const silentSocketMs = 60_000;

/** The bytes every HTTP/2 prior-knowledge connection starts with ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"). */
const h2Preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

/**
 * Serves `handler` over HTTP/1.1 and h2c on one port, telling them apart by the HTTP/2 preface:
 * node's h2c server speaks only prior-knowledge HTTP/2, which plain curl and fetch do not.
 */
export function createDualListener(handler: DualHandler): DualListener {
  const sockets = new Set<net.Socket>();
  const busy = new Map<net.Socket, number>(); // HTTP/1.1 sockets with requests in flight
  const sessions = new Set<http2.ServerHttp2Session>();
  const h2Sockets = new WeakSet<net.Socket>(); // their session decides when they close
  let closing = false;

  const h1 = http.createServer((req, res) => {
    const socket = req.socket;
    busy.set(socket, (busy.get(socket) ?? 0) + 1);
    if (closing) res.shouldKeepAlive = false;
    res.once("close", () => {
      const left = (busy.get(socket) ?? 1) - 1;
      if (left > 0) return void busy.set(socket, left);
      busy.delete(socket);
      if (closing) socket.end();
    });
    handler(req, res);
  });
  const h2 = http2.createServer(handler);
  h2.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
    if (closing) session.close();
  });

  const tcp = net.createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => undefined); // a peer that resets mid-request is not our failure
    sniff(socket, (isH2) => {
      if (isH2) {
        h2Sockets.add(socket);
        h2.emit("connection", socket); // http2 reads the handle itself: do not resume()
      } else {
        h1.emit("connection", socket);
        socket.resume();
      }
    });
  });

  return {
    listen(host, port) {
      return new Promise((resolve, reject) => {
        tcp.once("error", reject);
        tcp.listen(port, host, () => {
          tcp.off("error", reject);
          resolve((tcp.address() as net.AddressInfo).port);
        });
      });
    },
    close(timeoutMs) {
      closing = true;
      const closed = new Promise<void>((resolve) => tcp.close(() => resolve()));
      for (const session of sessions) session.close(); // GOAWAY: no new streams, open ones finish
      for (const socket of sockets) {
        if (!h2Sockets.has(socket) && !busy.has(socket)) socket.destroy(); // idle keep-alive or not yet sniffed
      }
      let timer: NodeJS.Timeout | undefined;
      const forced = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          for (const session of sessions) session.destroy();
          for (const socket of sockets) socket.destroy();
          resolve();
        }, timeoutMs);
      });
      return Promise.race([closed, forced]).then(async () => {
        clearTimeout(timer);
        await closed;
      });
    },
  };
}

// Reads until the first bytes tell HTTP/2 from HTTP/1.1, then puts them back for the real parser.
function sniff(socket: net.Socket, decide: (isH2: boolean) => void): void {
  let head = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    head = Buffer.concat([head, chunk]);
    const n = Math.min(head.length, h2Preface.length);
    const samePrefix = head.subarray(0, n).equals(h2Preface.subarray(0, n));
    if (samePrefix && n < h2Preface.length) return; // need more bytes to be sure
    socket.off("data", onData);
    socket.setTimeout(0);
    socket.pause();
    socket.unshift(head);
    decide(samePrefix);
  };
  socket.on("data", onData);
  socket.setTimeout(silentSocketMs, () => socket.destroy()); // a peer that connects and says nothing
}
