// What this machine charges for work that comes in sparse wake-ups rather than back-to-back: the
// same small unit of a service's kind of work (an event encoded and decoded, its envelope as
// JSON), run in one process back-to-back and then one unit per wake-up 5 ms apart, with the CPU
// of an empty wake-up measured apart. A half-rate phase is an even stream of single requests, so
// every hop of a saga wakes its process for one event; on a machine that charges more per unit
// then, a saga costs more CPU at half load than at full, whatever the code does.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { setTimeout as sleep } from "node:timers/promises";
import { OrderPlacedSchema } from "../gen/flower/v1/events_pb.js";
import type { Row } from "./format.js";

export interface SparseWork {
  /** CPU per unit, back-to-back (a turn of the event loop every ten units). */
  denseUs: number;
  /** CPU per unit, each alone in a wake-up `gapMs` after the last, wake-up included. */
  sparseUs: number;
  /** CPU per empty wake-up `gapMs` after the last. */
  wakeUs: number;
  gapMs: number;
}

const order = create(OrderPlacedSchema, {
  orderId: "order-1", flowerId: "1", qty: 1, address: "Seoul, Gangnam-gu 123", phoneNumber: "010-1234-5678", isOffline: false, amount: { amount: 15000n, currency: "KRW" },
});

function unit(): number {
  let n = 0;
  for (let i = 0; i < 10; i++) {
    order.qty = i;
    const bytes = toBinary(OrderPlacedSchema, order);
    const back = fromBinary(OrderPlacedSchema, bytes);
    n += JSON.stringify({ id: back.orderId, qty: back.qty, at: new Date(1e12 + i).toISOString() }).length;
  }
  return n;
}

const cpuUs = (from: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(from);
  return used.user + used.system;
};

export async function measureSparseWork({ gapMs = 5, dense = 4000, sparse = 300 } = {}): Promise<SparseWork> {
  for (let i = 0; i < 2000; i++) unit(); // compiled before either is measured
  let t = process.cpuUsage();
  for (let i = 0; i < dense; i++) {
    unit();
    if (i % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
  }
  const denseUs = cpuUs(t) / dense;
  t = process.cpuUsage();
  for (let i = 0; i < sparse; i++) await sleep(gapMs);
  const wakeUs = cpuUs(t) / sparse;
  t = process.cpuUsage();
  for (let i = 0; i < sparse; i++) {
    await sleep(gapMs);
    unit();
  }
  const sparseUs = cpuUs(t) / sparse;
  return { denseUs, sparseUs, wakeUs, gapMs };
}

export function sparseWorkRows(s: SparseWork): Row[] {
  return [
    [`machine: CPU of one wake-up of an idle process (a timer every ${s.gapMs} ms, nothing to do)`, `${s.wakeUs.toFixed(0)} µs`, "for reference", ""],
    [
      `machine: one unit of a service's kind of work (10 events encoded, decoded and summed up as JSON), CPU back-to-back and alone in a wake-up every ${s.gapMs} ms`,
      `${s.denseUs.toFixed(0)} µs and ${s.sparseUs.toFixed(0)} µs (${(s.sparseUs / s.denseUs).toFixed(1)}×)`, "for reference", "",
    ],
  ];
}
