// The rental saga bench: each call registers an item and reserves it (the main command); a saga
// is complete when the item-info view shows the item holding that reservation (ItemReserved).
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { setTimeout as sleep } from "node:timers/promises";
import { ItemService, type ItemInfo } from "../../gen/rental/v1/item_pb.js";
import { ReservationService } from "../../gen/rental/v1/reservation_pb.js";
import { unaryCaller } from "../grpc-client.js";
import { closedLoop, fixedRate, Samples } from "../load.js";
import type { SystemBench, SystemBenchContext, SystemSagas } from "./system-bench.js";

/** Reservations per customer id: the view is read back one customer (bucket) at a time. */
const BUCKET = 500;

async function follow(context: SystemBenchContext, book: Map<string, Map<string, number>>): Promise<SystemSagas> {
  const list = unaryCaller(context.stack.grpcAddress("rental-item"), ItemService.method.listItemInfos);
  const lag = new Samples();
  const done = new Map<string, ItemInfo>();
  const started = [...book.values()].reduce((n, b) => n + b.size, 0);
  const t0 = performance.now();
  let lastProgress = t0;
  try {
    while (done.size < started && performance.now() - lastProgress < 15_000 && performance.now() - t0 < 120_000) {
      for (const [customerId, itemsOf] of book) {
        let pageToken = "";
        do {
          const page = await list({ customerId, pageSize: 1000, pageToken }).catch(() => ({ itemInfos: [] as ItemInfo[], nextPageToken: "" }));
          for (const info of page.itemInfos) {
            if (done.has(info.itemNo) || !itemsOf.has(info.itemNo)) continue;
            if (info.steps.some((s) => s.event === "ItemReserved" || s.event === "ReservationRejected")) {
              done.set(info.itemNo, info);
              lastProgress = performance.now();
            }
          }
          pageToken = page.nextPageToken;
        } while (pageToken);
      }
      if (done.size < started) await sleep(200);
    }
  } finally {
    list.close();
  }
  let completed = 0;
  let lastCompleted = 0;
  const other: Record<string, number> = {};
  for (const info of done.values()) {
    for (const s of info.steps) lag.push(timestampMs(s.recordedAt!) - timestampMs(s.occurredAt!));
    const held = info.steps.find((s) => s.event === "ItemReserved");
    if (held) {
      completed++;
      lastCompleted = Math.max(lastCompleted, timestampMs(held.recordedAt!));
    } else other.rejected = (other.rejected ?? 0) + 1;
  }
  if (started > done.size) other.unfinished = started - done.size;
  const firstSent = Math.min(...[...book.values()].flatMap((b) => [...b.values()]));
  const span = (lastCompleted - firstSent) / 1000;
  return { started, completed, other, sagasPerSecond: completed > 0 && span > 0 ? completed / span : 0, lag };
}

async function phase(context: SystemBenchContext, name: string, tag: string, drive: (call: (seq: number) => Promise<void>) => ReturnType<typeof closedLoop>) {
  const register = unaryCaller(context.stack.grpcAddress("rental-item"), ItemService.method.registerItem);
  const reserve = unaryCaller(context.stack.grpcAddress("rental-reservation"), ReservationService.method.reserve);
  const book = new Map<string, Map<string, number>>();
  try {
    const load = await drive(async (seq) => {
      const sentAt = Date.now();
      const { item } = await register({ itemName: `bench ${seq}`, itemPrice: 1000n });
      const customerId = `bench-${tag}-${Math.floor(seq / BUCKET)}`;
      await reserve({ customerName: "Bench", customerId, itemNo: item!.id });
      const bucket = book.get(customerId) ?? new Map<string, number>();
      book.set(customerId, bucket.set(item!.id, sentAt));
    });
    context.say(`rental ${name}: ${load.calls} reservations, ${load.rate.toFixed(0)}/s`);
    return { load, sagas: await follow(context, book) };
  } finally {
    register.close();
    reserve.close();
  }
}

/** rental: register an item and reserve it, followed to ItemReserved in the item-info view. */
export const rentalBench: SystemBench = {
  system: "rental",
  async run(context) {
    const tag = String(Date.now() % 1_000_000);
    const full = await phase(context, "full", `${tag}f`, (call) => closedLoop({ phase: "rental full", seconds: context.seconds, concurrency: context.clients, call }));
    const half = await phase(context, "half", `${tag}h`, (call) =>
      fixedRate({ phase: "rental half", seconds: context.halfSeconds, perSecond: Math.max(1, full.load.rate / 2), call }));
    return {
      system: "rental",
      saga: "RegisterItem + Reserve (the main command) until the item-info view shows the item held by the reservation (ItemReserved)",
      full: full.load, fullSagas: full.sagas, half: half.load, halfSagas: half.sagas,
      bound: "two services on two cores: each reservation is a write in rental-reservation and in rental-item (hold + view), all on SQLite",
    };
  },
};
