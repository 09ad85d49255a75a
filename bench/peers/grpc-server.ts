// Bare grpc-js server: StoreService.GetFlower with protobuf-es serializers and the constant
// answer, no middleware (bench/echo-server.ts's way, but the same method as every scenario).
import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { GetFlowerResponseSchema, StoreService, type GetFlowerRequest, type GetFlowerResponse } from "../../gen/flower/v1/store_pb.js";
import { unaryDefinition } from "../grpc-definition.js";
import { ROSE } from "./answer.js";
import { announce, served } from "./serve.js";

const definition: grpc.ServiceDefinition = { GetFlower: unaryDefinition(StoreService.method.getFlower) };
const rose = create(GetFlowerResponseSchema, { flower: { ...ROSE, price: { ...ROSE.price, amount: BigInt(ROSE.price.amount) } } });

const server = new grpc.Server();
server.addService(definition, {
  GetFlower: (_call: grpc.ServerUnaryCall<GetFlowerRequest, GetFlowerResponse>, respond: grpc.sendUnaryData<GetFlowerResponse>) => {
    served.count++;
    respond(null, rose);
  },
});
const port = await new Promise<number>((resolve, reject) =>
  server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
announce({ port }, () => new Promise((resolve) => server.tryShutdown(() => resolve())));
