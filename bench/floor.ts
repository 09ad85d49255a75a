// The floor of a saga: what the work it needs costs bare, measured in the same run. A saga needs
// some synchronous calls, SQLite commits, JetStream publishes and deliveries (counted from the
// services' own counters while it ran); bare, a call costs what a grpc-js client and server cost
// per call (from the sync-call bench), a commit what better-sqlite3 alone costs to commit one
// small row in WAL mode, a publish and a delivery what nats.js and nats-server cost for one small
// message with its acknowledgement. Saga CPU ÷ floor says how much the runtime adds.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { AckPolicy, connect, type JsMsg } from "nats";
import { ownAndNatsCpuSeconds, scrapeMetrics } from "./procs.js";

/** CPU per unit of work, µs (a call: client and server; a publish or a delivery: client and nats-server). */
export interface FloorUnits {
  callUs: number;
  commitUs: number;
  publishUs: number;
  deliverUs: number;
}

/** What a saga did, per saga: from the services' counters. */
export interface SagaWork {
  calls: number;
  commits: number;
  publishes: number;
  deliveries: number;
}

export interface SagaCost {
  work: SagaWork;
  /** CPU of every service and nats-server per complete saga, ms. */
  cpuMs: number;
  floorMs: number;
  /** cpuMs ÷ floorMs. */
  ratio: number;
}

/** The per-saga CPU target against the floor. */
export const FLOOR_RATIO_TARGET = 2;

const ROW = randomBytes(160).toString("hex"); // about an outbox row's size

/** better-sqlite3 alone: one small row per transaction, WAL, synchronous=NORMAL, as the services open SQLite. */
export async function measureCommitUs(commits = 20_000): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), "floor-"));
  const db = new Database(join(dir, "floor.sqlite"));
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.exec("CREATE TABLE t (id TEXT PRIMARY KEY, data TEXT NOT NULL)");
    const insert = db.prepare("INSERT INTO t (id, data) VALUES (?, ?)");
    const commit = db.transaction((id: string) => insert.run(id, ROW));
    for (let i = 0; i < 1000; i++) commit(`warm-${i}`);
    const before = process.cpuUsage();
    for (let i = 0; i < commits; i++) commit(`row-${i}`);
    const used = process.cpuUsage(before);
    return (used.user + used.system) / commits;
  } finally {
    db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** nats.js and nats-server: publishes acknowledged by JetStream, then deliveries to a pull consumer, acked as the runtime acks. */
export async function measureJetStreamUs(natsUrl: string, natsPid: number | undefined, messages = 20_000): Promise<{ publishUs: number; deliverUs: number }> {
  const nc = await connect({ servers: natsUrl, name: "bench-floor" });
  const jsm = await nc.jetstreamManager();
  const stream = `FLOOR_${randomBytes(4).toString("hex")}`;
  const subject = `${stream.toLowerCase()}.event`;
  await jsm.streams.add({ name: stream, subjects: [subject] });
  const cpu = () => ownAndNatsCpuSeconds(natsPid);
  try {
    const js = nc.jetstream();
    const payload = Buffer.from(ROW);
    const publishAll = async (n: number, offset: number) => {
      let next = 0;
      await Promise.all(Array.from({ length: 100 }, async () => {
        while (next < n) {
          const i = offset + next++;
          await js.publish(subject, payload, { msgID: `m-${i}` });
        }
      }));
    };
    await publishAll(1000, 0);
    const p0 = await cpu();
    await publishAll(messages, 1000);
    const publishUs = ((await cpu()) - p0) * 1e6 / messages;

    await jsm.consumers.add(stream, { durable_name: "floor", ack_policy: AckPolicy.Explicit });
    const consumer = await js.consumers.get(stream, "floor");
    const total = messages + 1000;
    let seen = 0;
    let d0 = 0;
    let last!: () => void;
    const all = new Promise<void>((resolve) => (last = resolve));
    const messagesIn = await consumer.consume({
      max_messages: 256,
      callback: (msg: JsMsg) => {
        msg.ack();
        if (++seen === 1000) void cpu().then((t) => (d0 = t));
        if (seen === total) last();
      },
    });
    await all;
    await nc.flush();
    const deliverUs = ((await cpu()) - d0) * 1e6 / messages;
    await messagesIn.close();
    return { publishUs, deliverUs };
  } finally {
    await jsm.streams.delete(stream).catch(() => false);
    await nc.close();
  }
}

/** The services' counters of calls, commits, publishes and deliveries, summed over `ports`. */
export async function countWork(ports: Record<string, number>): Promise<SagaWork> {
  const work: SagaWork = { calls: 0, commits: 0, publishes: 0, deliveries: 0 };
  for (const port of Object.values(ports)) {
    for (const s of await scrapeMetrics(port).catch(() => [])) {
      if (s.name === "mesh_client_requests_total" && s.labels.code === "OK") work.calls += s.value;
      else if (s.name === "mesh_db_transactions_total") work.commits += s.value;
      else if (s.name === "mesh_outbox_published_total") work.publishes += s.value;
      else if (s.name === "mesh_events_handled_total") work.deliveries += s.value;
    }
  }
  return work;
}

/**
 * What `sagas` complete sagas cost against their floor: the work between two counts (plus the
 * command each saga began with, `entryCalls` per saga), and `cpuSeconds` of services and nats-server.
 */
export function sagaCost(before: SagaWork, after: SagaWork, sagas: number, cpuSecondsUsed: number, units: FloorUnits, entryCalls = 1): SagaCost {
  const per = (k: keyof SagaWork) => (after[k] - before[k]) / sagas;
  const work: SagaWork = { calls: per("calls") + entryCalls, commits: per("commits"), publishes: per("publishes"), deliveries: per("deliveries") };
  const floorMs = (work.calls * units.callUs + work.commits * units.commitUs + work.publishes * units.publishUs + work.deliveries * units.deliverUs) / 1000;
  const cpuMs = (cpuSecondsUsed * 1000) / sagas;
  return { work, cpuMs, floorMs, ratio: cpuMs / floorMs };
}
