// Server capacity, measured with h2load (nghttp2's HTTP/2 load generator, written in C) so that
// the client is never the bottleneck: the grpc-js client loop saturates its own core first.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { toBinary, type DescMessage, type MessageInitShape, create } from "@bufbuild/protobuf";

const run = promisify(execFile);

/** One h2load run: calls answered per second and latency percentiles, in ms. */
export interface H2loadResult {
  rate: number;
  p50: number;
  p99: number;
  failed: number;
  /** Answers whose HTTP status was not 2xx (counted in `rate` by h2load, so check it is 0). */
  not2xx: number;
}

/** True when the h2load binary (Debian: nghttp2-client) is on PATH. */
export async function h2loadAvailable(): Promise<boolean> {
  return run("h2load", ["--version"]).then(() => true, () => false);
}

/** One h2load run against `url` for `seconds` after 1 s of warm-up: `clients` connections × `streams` each. */
export async function h2load(options: {
  url: string; seconds: number; clients: number; streams: number;
  /** HTTP/1.1 instead of h2c (`streams` > 1 then pipelines). */
  h1?: boolean;
  /** Sent with every request, which makes it a POST. */
  body?: Uint8Array | string;
  headers?: Record<string, string>;
}): Promise<H2loadResult> {
  const dir = await mkdtemp(join(tmpdir(), "h2load-"));
  try {
    const args = ["-D", String(options.seconds), "--warm-up-time=1", "-c", String(options.clients), "-m", String(options.streams), "-t", "1"];
    if (options.h1) args.push("--h1");
    if (options.body !== undefined) {
      await writeFile(join(dir, "body"), options.body);
      args.push("-d", join(dir, "body"));
    }
    for (const [name, value] of Object.entries(options.headers ?? {})) args.push("-H", `${name}: ${value}`);
    const { stdout } = await run("h2load", [...args, "--log-file", join(dir, "log"), options.url], { maxBuffer: 1 << 20 });
    const rate = Number(/finished in [\d.]+s, ([\d.]+) req\/s/.exec(stdout)?.[1] ?? NaN);
    const failed = Number(/(\d+) failed/.exec(stdout)?.[1] ?? NaN);
    const status = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(stdout);
    const not2xx = status ? Number(status[2]) + Number(status[3]) + Number(status[4]) : NaN;
    // The log: one line per request, "start-time status duration-µs".
    const durations = (await readFile(join(dir, "log"), "utf8")).trim().split("\n").map((l) => Number(l.split("\t")[2])).sort((a, b) => a - b);
    const at = (q: number) => durations[Math.min(durations.length - 1, Math.floor(q * durations.length))] / 1000;
    return { rate, p50: at(0.5), p99: at(0.99), failed, not2xx };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Drives one unary gRPC method at `address` with a fixed request: 4 connections × 25 streams. */
export async function h2loadGrpc<D extends DescMessage>(options: {
  address: string; path: string; schema: D; request: MessageInitShape<D>; seconds: number;
}): Promise<H2loadResult> {
  const message = toBinary(options.schema, create(options.schema, options.request));
  const frame = Buffer.alloc(5 + message.length); // gRPC length-prefixed message, uncompressed
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return h2load({
    url: `http://${options.address}${options.path}`, seconds: options.seconds, clients: 4, streams: 25,
    body: frame, headers: { "content-type": "application/grpc", te: "trailers" },
  });
}
