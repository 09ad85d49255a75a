// The rental saga bench: each call registers an item and reserves it (the main command); a saga
// is complete when the item-info view shows the item holding that reservation (ItemReserved).
import { ItemService, type ItemInfo } from "../../gen/rental/v1/item_pb.js";
import { ReservationService } from "../../gen/rental/v1/reservation_pb.js";
import { ItemStatus } from "../../gen/rental/v1/status_pb.js";
import { unaryCaller } from "../grpc-client.js";
import { closedLoop, fixedRate } from "../load.js";
import { followSagas, SagaBook, type ViewedSaga } from "./follow-sagas.js";
import type { SystemBench, SystemBenchContext } from "./system-bench.js";

/** An item as the item-info view shows it: final once it took the reservation, or rejected it. */
const viewed = (info: ItemInfo): ViewedSaga => ({
  id: info.itemNo, steps: info.steps, status: ItemStatus[info.itemStatus],
  endedAs: !info.steps.some((s) => s.event === "ItemReserved") && info.steps.some((s) => s.event === "ReservationRejected") ? "rejected" : undefined,
});

async function phase(context: SystemBenchContext, name: string, tag: string, drive: (call: (seq: number) => Promise<void>) => ReturnType<typeof closedLoop>) {
  const register = unaryCaller(context.stack.grpcAddress("rental-item"), ItemService.method.registerItem);
  const reserve = unaryCaller(context.stack.grpcAddress("rental-reservation"), ReservationService.method.reserve);
  const list = unaryCaller(context.stack.grpcAddress("rental-item"), ItemService.method.listItemInfos);
  const book = new SagaBook(tag);
  try {
    const load = await drive(async (seq) => {
      const sentAt = Date.now();
      const { item } = await register({ itemName: `bench ${seq}`, itemPrice: 1000n });
      const customerId = book.customerFor(seq);
      await reserve({ customerName: "Bench", customerId, itemNo: item!.id });
      book.add(customerId, item!.id, sentAt);
    });
    context.say(`rental ${name}: ${load.calls} reservations, ${load.rate.toFixed(0)}/s`);
    const sagas = await followSagas({
      book, say: context.say, finalSteps: ["ItemReserved"], completedBy: "ItemReserved",
      page: async (customerId, pageToken) => {
        const page = await list({ customerId, pageSize: 1000, pageToken });
        return { rows: page.itemInfos.map(viewed), nextPageToken: page.nextPageToken };
      },
    });
    return { load, sagas };
  } finally {
    register.close();
    reserve.close();
    list.close();
  }
}

/** rental: register an item and reserve it, followed to ItemReserved in the item-info view. */
export const rentalBench: SystemBench = {
  system: "rental",
  async run(context) {
    const tag = String(Date.now() % 1_000_000);
    await phase(context, "warm-up", `${tag}w`, (call) => closedLoop({ phase: "rental (warm-up)", seconds: context.warmUpSeconds, concurrency: context.clients, call }));
    const full = await context.measure("full", () =>
      phase(context, "full", `${tag}f`, (call) => closedLoop({ phase: "rental full", seconds: context.seconds, concurrency: context.clients, call })));
    const half = await context.measure("half", () => phase(context, "half", `${tag}h`, (call) =>
      fixedRate({ phase: "rental half", seconds: context.halfSeconds, perSecond: Math.max(1, full.load.rate / 2), call })));
    return {
      system: "rental",
      saga: "RegisterItem + Reserve (the main command) until the item-info view shows the item held by the reservation (ItemReserved)",
      full: full.load, fullSagas: full.sagas, half: half.load, halfSagas: half.sagas,
      bound: "two services on two cores: each reservation is a write in rental-reservation and in rental-item (hold + view), all on SQLite",
      commandCalls: 2,
    };
  },
};
