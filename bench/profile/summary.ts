// Where a service's CPU went, from a V8 .cpuprofile: self time by kind of work (SQLite, knex,
// garbage collection, sockets, NATS, protobuf, the runtime, the service's own code...).
import { readFile } from "node:fs/promises";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

// First match wins; native functions have no URL and are told by name.
const kinds: Array<[kind: string, test: (name: string, url: string) => boolean]> = [
  ["idle", (n) => n === "(idle)"],
  ["garbage collection", (n) => n === "(garbage collector)"],
  ["SQLite (native)", (n, u) => !u && ["run", "all", "get", "prepare", "exec"].includes(n)],
  ["socket writes (native)", (n, u) => !u && ["writev", "writeBuffer", "writeUtf8String", "writeLatin1String"].includes(n)],
  ["knex", (_, u) => u.includes("/node_modules/knex/") || u.includes("/node_modules/lodash/")],
  ["NATS client", (_, u) => u.includes("/node_modules/nats/")],
  ["protobuf-es", (_, u) => u.includes("/node_modules/@bufbuild/")],
  ["grpc-js", (_, u) => u.includes("/node_modules/@grpc/")],
  ["connect-es", (_, u) => u.includes("/node_modules/@connectrpc/")],
  ["undici", (_, u) => u.includes("/node_modules/undici/")],
  ["cockatiel", (_, u) => u.includes("/node_modules/cockatiel/")],
  ["prom-client", (_, u) => u.includes("/node_modules/prom-client/")],
  ["mesh runtime", (_, u) => u.includes("/mesh/")],
  ["service code", (_, u) => u.includes("/services/") || u.includes("/gen/")],
  ["Node.js HTTP", (_, u) => /^node:_http|^node:internal\/(http|streams)|^node:internal\/deps\/llhttp/.test(u)],
  ["async context and promises", (n, u) => /async_hooks/.test(u) || n === "runMicrotasks"],
  ["other Node.js internals", (_, u) => u.startsWith("node:")],
  ["other", () => true],
];

/** Self time share by kind of work, busy time only (idle left out), largest first. */
export async function profileSummary(file: string): Promise<Array<{ kind: string; share: number }>> {
  const profile = JSON.parse(await readFile(file, "utf8")) as Profile;
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byKind = new Map<string, number>();
  for (const node of profile.nodes) {
    const t = self.get(node.id) ?? 0;
    if (t === 0) continue;
    const { functionName, url } = node.callFrame;
    const kind = kinds.find(([, test]) => test(functionName, url))![0];
    byKind.set(kind, (byKind.get(kind) ?? 0) + t);
  }
  byKind.delete("idle");
  const busy = [...byKind.values()].reduce((a, b) => a + b, 0);
  return [...byKind.entries()].map(([kind, t]) => ({ kind, share: t / busy })).sort((a, b) => b.share - a.share);
}
