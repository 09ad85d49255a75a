// Bare grpc-js client: the bench's own unary caller (bench/grpc-client.ts: makeUnaryRequest
// with protobuf-es codecs, one channel, no policy) against the bare grpc-js server.
import { StoreService, type GetFlowerResponse } from "../../gen/flower/v1/store_pb.js";
import { unaryCaller } from "../grpc-client.js";
import { isRose } from "./answer.js";
import { runPeerClient } from "./client.js";

await runPeerClient<GetFlowerResponse>(async (server) => {
  const getFlower = unaryCaller(`127.0.0.1:${server.port}`, StoreService.method.getFlower);
  return { call: () => getFlower({ id: "1" }), check: (answer) => isRose(answer.flower), close: () => getFlower.close() };
});
