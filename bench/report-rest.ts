// The "REST and the gateway" figures: rows for the console and the section of docs/performance.md.
import { errorText, int, latency, met, ms, pct, type Row } from "./format.js";
import type { GatewayLatency } from "./gateway-latency.js";
import type { H2loadResult } from "./h2load.js";
import type { LoadResult } from "./load.js";
import type { CpuUse } from "./procs.js";
import { CONNECT_PATH, REST_PATH, type RestThroughput, type ServerRun } from "./rest-throughput.js";

export interface RestFigures {
  /** Undefined when h2load is not installed. */
  throughput?: RestThroughput;
  gateway: GatewayLatency;
}

const TARGET = { restRatio: 0.7, gatewayAddedP50Ms: 1 };

const runText = ({ load, serverCores }: ServerRun) =>
  `${int(load.rate)} req/s · p50 ${ms(load.p50)} ms · p99 ${ms(load.p99)} ms · server ${serverCores.toFixed(2)} cores` +
  `${load.failed ? ` · ${int(load.failed)} failed` : ""}${load.not2xx ? ` · ${int(load.not2xx)} not 2xx` : ""}`;
const answered = (r: H2loadResult) => r.failed === 0 && r.not2xx === 0;
// Server CPU per request under h2load, µs: its cores (warm-up included) ÷ req/s.
const serverUs = (r: ServerRun) => (r.serverCores * 1e6) / r.load.rate;

/** The rows of this section: what, the value, the target, met or not. */
export function restRows(r: RestFigures): Row[] {
  const rows: Row[] = [];
  const t = r.throughput;
  if (t) {
    const how = `h2load --h1, ${t.clients} clients`;
    const restRatio = t.rest.load.rate / t.bare.load.rate;
    rows.push(
      [`bare connect-node, Connect JSON POST ${CONNECT_PATH} (constant flower), ${how}`, runText(t.bare), "baseline", ""],
      [`runtime, REST GET ${REST_PATH} (same handler, handler chain), ${how}`, runText(t.rest), "", ""],
      [`runtime, Connect JSON POST ${CONNECT_PATH} (same handler), ${how}`, runText(t.connect), "", ""],
      ["runtime REST ÷ bare connect-node", pct(restRatio), `≥ ${pct(TARGET.restRatio)}`, met(restRatio >= TARGET.restRatio && answered(t.rest.load) && answered(t.bare.load))],
      ["runtime Connect JSON ÷ bare connect-node", pct(t.connect.load.rate / t.bare.load.rate), "", ""],
      [`flower-store, REST GET ${REST_PATH} (knex + SQLite read), ${how}`, runText(t.store), "", ""],
      ["flower-store REST ÷ bare connect-node (informational)", pct(t.store.load.rate / t.bare.load.rate), "", ""],
    );
  }
  const g = r.gateway;
  const [directP50, directP99] = g.direct.latencyMs.percentiles(0.5, 0.99);
  const [gatewayP50, gatewayP99] = g.gateway.latencyMs.percentiles(0.5, 0.99);
  const added = gatewayP50 - directP50;
  const sequential = (l: LoadResult) => `${latency(l)} · mean ${ms(l.latencyMs.mean())} ms · ${int(l.calls)} requests · ${errorText(l.errors)}`;
  rows.push(
    [`GET ${g.path} on flower-store's HTTP port, 1 client, sequential`, sequential(g.direct), "", ""],
    [`GET ${g.path} through the gateway, 1 client, sequential`, sequential(g.gateway), "", ""],
    ["gateway's added latency", `p50 +${ms(added)} ms · p99 +${ms(gatewayP99 - directP99)} ms`, `p50 < ${TARGET.gatewayAddedP50Ms} ms`,
      met(added < TARGET.gatewayAddedP50Ms && Object.keys(g.gateway.errors).length === 0)],
  );
  return rows;
}

// Where the server's time goes per request in the throughput runs.
function restNote(t: RestThroughput | undefined): string {
  if (!t) return "h2load was not found (Debian: apt-get install nghttp2-client): REST throughput not measured.";
  const [bare, rest, connect] = [serverUs(t.bare), serverUs(t.rest), serverUs(t.connect)];
  return [
    `Server CPU per request (its cores ÷ req/s; above 1 core is V8's helper threads): bare connect-node ${bare.toFixed(0)} µs over Connect JSON;`,
    `the runtime ${rest.toFixed(0)} µs over REST and ${connect.toFixed(0)} µs over Connect JSON (same handler, same process);`,
    `flower-store ${serverUs(t.store).toFixed(0)} µs over REST (its knex + SQLite read included).`,
    "The REST call is a GET without a body: the runtime's router decodes it from the path, runs the wrapped",
    "handler and writes the JSON itself, skipping connect-node's universal request/response layer (the body",
    "read as an async iterable, the protocol negotiation) that every Connect call goes through, bare or not.",
    rest <= bare
      ? `So REST comes out ${(bare - rest).toFixed(0)} µs cheaper per request than the bare baseline although it runs the handler chain (context, metrics, logs);`
      : `REST still costs ${(rest - bare).toFixed(0)} µs more per request than the bare baseline;`,
    `the handler chain and the runtime's routes on the same protocol cost ${(connect - bare).toFixed(0)} µs (runtime Connect JSON − bare).`,
  ].join("\n");
}

// CPU per request of each process in the two latency runs (one request at a time).
function gatewayNote({ gateway: g, throughput: t }: RestFigures): string {
  const us = (use: CpuUse, run: LoadResult, name: string) => ((use.cores[name] * use.seconds * 1e6) / run.calls).toFixed(0);
  const d = (name: string) => us(g.cpu.direct, g.direct, name);
  const v = (name: string) => us(g.cpu.gateway, g.gateway, name);
  const wall = (run: LoadResult) => ((run.seconds * 1e6) / run.calls).toFixed(0);
  const underLoad = t ? ` (flower-store: ${serverUs(t.store).toFixed(0)} µs per REST request in the h2load run above)` : "";
  return [
    `CPU per request in the latency runs (cores × seconds ÷ requests): straight to flower-store, flower-store ${d("flower-store")} µs`,
    `and the client ${d("bench client")} µs, ${wall(g.direct)} µs per round trip; through the gateway, the gateway ${v("gateway")} µs (its REST front,`,
    `handler chain and mesh client: resilience policy and a grpc-js call), flower-store ${v("flower-store")} µs (serving gRPC now) and`,
    `the client ${v("bench client")} µs, ${wall(g.gateway)} µs per round trip. With one request at a time nothing is batched and every`,
    `request wakes each process's event loop, so these costs are above the same processes' under load${underLoad}.`,
  ].join("\n");
}

/** The "REST and the gateway" section of docs/performance.md. */
export function restSection(r: RestFigures): string {
  const t = r.throughput;
  return `## REST and the gateway

REST is transcoded from the contract's google.api.http annotations on every service's HTTP port;
the gateway (catalog id "gateway") forwards REST, Connect and gRPC-Web to the owning service over
the mesh gRPC client.
${t ? `
Throughput: h2load over HTTP/1.1, ${t.clients} connections with one request in flight each, 1 s warm-up then
${t.seconds} s, one server at a time. The baseline is a bare \`@connectrpc/connect-node\` server
(bench/connect-echo-server.ts: \`connectNodeAdapter\` on \`http.createServer\`, nothing else) answering
flower StoreService.GetFlower with a constant flower over Connect JSON. The runtime serves the same
handler through \`startService\` (bench/rest-echo-server.ts: handler chain, both ports, no database,
no NATS), called as REST; flower-store answers from SQLite.
` : ""}
Gateway latency: \`GET ${r.gateway.path}\` from one sequential client over one keep-alive HTTP/1.1
connection (bench/http-client.ts), 1 s warm-up then ${r.gateway.seconds} s, straight to flower-store's HTTP
port and then through the gateway's.

| figure | value | target | |
|---|---|---|---|
${restRows(r).map((row) => `| ${row.join(" | ")} |`).join("\n")}

${restNote(t)}

${gatewayNote(r)}
`;
}
