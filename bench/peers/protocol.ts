// The lines a peer process prints on stdout for bench/sync-call.ts (anything else there, such
// as a library's log line, is passed on as it is), and the environment it is started with.
import type { PeerLoopResult } from "./loop.js";

/** A server once it listens: its ports (those it has). */
export interface ServerReady {
  port?: number;
  grpcPort?: number;
  httpPort?: number;
}

export const READY = "READY ";
/** At stop: how many calls the server answered, to hold against the client's count. */
export const SERVED = "SERVED ";
export const RESULT = "RESULT ";

/** The environment variables the orchestrator hands a client (and a server, for Moleculer). */
export const peerEnv = {
  server: "PEER_SERVER", // the server's READY object, as JSON
  serverPid: "PEER_SERVER_PID",
  natsPid: "PEER_NATS_PID",
  warmupSeconds: "PEER_WARMUP_S",
  seconds: "PEER_MEASURE_S",
  concurrency: "PEER_CONCURRENCY",
  profile: "PEER_PROFILE", // Moleculer's: cb | matched
  namespace: "PEER_NAMESPACE", // Moleculer's, new per run so stale nodes never answer
} as const;

/** The NATS Moleculer's transporter uses: the bench's (NATS_URL), as the mesh's services do. */
export const peerNatsUrl = process.env.NATS_URL || "nats://127.0.0.1:4222";

export type { PeerLoopResult };

/** The JSON after `prefix`, or undefined when the line is not one of ours. */
export function parseLine<T>(line: string, prefix: string): T | undefined {
  return line.startsWith(prefix) ? (JSON.parse(line.slice(prefix.length)) as T) : undefined;
}
