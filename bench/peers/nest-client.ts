// NestJS client: the Nest way of calling, a ClientGrpc (ClientProxyFactory, gRPC transport)
// and lastValueFrom(store.getFlower(...)). Nest adds no breaker, timeout or retry of its own.
import "reflect-metadata";
import { ClientProxyFactory, Transport } from "@nestjs/microservices";
import { lastValueFrom, type Observable } from "rxjs";
import { isRose, type FlowerLike } from "./answer.js";
import { runPeerClient } from "./client.js";
import { nestGrpcOptions } from "./nest-proto.js";

type Answer = { flower?: FlowerLike };
interface StoreService {
  getFlower(request: { id: string }): Observable<Answer>;
}

await runPeerClient<Answer>(async (server) => {
  const client = ClientProxyFactory.create({ transport: Transport.GRPC, options: { ...nestGrpcOptions, url: `127.0.0.1:${server.port}` } });
  const store = client.getService<StoreService>("StoreService");
  return {
    call: () => lastValueFrom(store.getFlower({ id: "1" })),
    check: (answer) => isRose(answer.flower),
    close: () => client.close(),
  };
});
