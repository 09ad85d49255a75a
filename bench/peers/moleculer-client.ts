// Moleculer client: a second broker calling broker.call("store.getFlower", {id:"1"}) through
// NATS, with the profile's middlewares (PEER_PROFILE: cb | matched).
import { ServiceBroker } from "moleculer";
import { isRose, type FlowerLike } from "./answer.js";
import { runPeerClient } from "./client.js";
import { brokerOptions } from "./moleculer-config.js";

await runPeerClient(async () => {
  const broker = new ServiceBroker(brokerOptions("caller"));
  await broker.start();
  await broker.waitForServices("store", 20_000);
  return {
    call: () => broker.call<{ flower?: FlowerLike }, { id: string }>("store.getFlower", { id: "1" }),
    check: (answer) => isRose(answer.flower),
    close: () => broker.stop(),
  };
});
