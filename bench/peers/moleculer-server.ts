// Moleculer server: a broker with service "store" whose action getFlower answers the constant
// flower, reached over NATS (PEER_PROFILE: cb | matched, see moleculer-config.ts).
import { ServiceBroker } from "moleculer";
import { ROSE } from "./answer.js";
import { brokerOptions } from "./moleculer-config.js";
import { announce, served } from "./serve.js";

const broker = new ServiceBroker(brokerOptions("store"));
broker.createService({
  name: "store",
  actions: {
    getFlower(ctx) {
      served.count++;
      return { flower: { ...ROSE, id: (ctx.params as { id: string }).id } };
    },
  },
});
await broker.start();
announce({}, () => broker.stop());
