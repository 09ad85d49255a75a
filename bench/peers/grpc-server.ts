// Bare grpc-js server: StoreService.GetFlower with protobuf-es serializers and the constant
// answer, no middleware (bench/echo-server.ts's way, but the same method as every scenario).
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { GetFlowerRequestSchema, GetFlowerResponseSchema, StoreService, type GetFlowerRequest, type GetFlowerResponse } from "../../gen/flower/v1/store_pb.js";
import { ROSE } from "./answer.js";
import { announce, served } from "./serve.js";

const definition: grpc.ServiceDefinition = {
  GetFlower: {
    path: `/${StoreService.typeName}/${StoreService.method.getFlower.name}`,
    requestStream: false,
    responseStream: false,
    requestSerialize: (m: GetFlowerRequest) => Buffer.from(toBinary(GetFlowerRequestSchema, m)),
    requestDeserialize: (b: Buffer) => fromBinary(GetFlowerRequestSchema, b),
    responseSerialize: (m: GetFlowerResponse) => Buffer.from(toBinary(GetFlowerResponseSchema, m)),
    responseDeserialize: (b: Buffer) => fromBinary(GetFlowerResponseSchema, b),
  },
};
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
