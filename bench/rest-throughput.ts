// REST throughput on the runtime's HTTP port against a bare connect-node server answering the
// same handler over Connect JSON, all driven by h2load over HTTP/1.1 the same way, one at a time.
import { h2load, type H2loadResult } from "./h2load.js";
import { withCpu } from "./procs.js";
import { startBenchServer } from "./stack.js";

/** HTTP/1.1 connections, one request in flight on each. */
export const REST_CLIENTS = 16;

export const REST_PATH = "/flower/stores/1";
export const CONNECT_PATH = "/flower.v1.StoreService/GetFlower";
const connectJson = { body: JSON.stringify({ id: "1" }), headers: { "content-type": "application/json", "connect-protocol-version": "1" } };

/** One h2load run and the cores its server used meanwhile (1.0 = one core all the time). */
export interface ServerRun {
  load: H2loadResult;
  serverCores: number;
}

export interface RestThroughput {
  clients: number;
  seconds: number;
  /** bench/connect-echo-server.ts: Connect JSON POST, the baseline. */
  bare: ServerRun;
  /** bench/rest-echo-server.ts (the runtime, same handler): REST GET. */
  rest: ServerRun;
  /** The same process: Connect JSON POST, to tell the runtime's cost from REST's. */
  connect: ServerRun;
  /** flower-store (knex + SQLite read): REST GET. */
  store: ServerRun;
}

export async function measureRestThroughput(options: {
  root: string; storeHttpPort: number; storePid: number; seconds: number; say: (line: string) => void;
}): Promise<RestThroughput> {
  const { root, seconds, say } = options;
  const drive = async (phase: string, port: number, pid: number, path: string, extra: { body?: string; headers?: Record<string, string> } = {}) => {
    const url = `http://127.0.0.1:${port}${path}`;
    say(`${phase}: h2load --h1 ${extra.body ? "POST" : "GET"} ${url}, ${REST_CLIENTS} clients for ${seconds} s`);
    const { result, use } = await withCpu({ server: pid }, () => h2load({ url, seconds, clients: REST_CLIENTS, streams: 1, h1: true, ...extra }));
    return { load: result, serverCores: use.cores.server };
  };

  const bareServer = await startBenchServer(root, "bench/connect-echo-server.ts");
  const bare = await drive("bare connect-node Connect JSON", bareServer.port, bareServer.pid, CONNECT_PATH, connectJson).finally(() => bareServer.stop());
  const runtime = await startBenchServer(root, "bench/rest-echo-server.ts");
  let rest: ServerRun, connect: ServerRun;
  try {
    rest = await drive("runtime REST", runtime.port, runtime.pid, REST_PATH);
    connect = await drive("runtime Connect JSON", runtime.port, runtime.pid, CONNECT_PATH, connectJson);
  } finally {
    await runtime.stop();
  }
  const store = await drive("flower-store REST", options.storeHttpPort, options.storePid, REST_PATH);
  return { clients: REST_CLIENTS, seconds, bare, rest, connect, store };
}
