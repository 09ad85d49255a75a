// NestJS server: a microservice on Nest's gRPC transport (@nestjs/microservices + grpc-js)
// whose controller answers StoreService.GetFlower with the constant flower. The decorators are
// applied by hand: tsx (esbuild) would need experimentalDecorators for the @ syntax.
import "reflect-metadata";
import { Controller, Module } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import { GrpcMethod, Transport, type MicroserviceOptions } from "@nestjs/microservices";
import { freePort } from "../../mesh/testing/free-port.js";
import { ROSE } from "./answer.js";
import { nestGrpcOptions } from "./nest-proto.js";
import { announce, served } from "./serve.js";

class StoreController {
  getFlower(request: { id: string }) {
    served.count++;
    return { flower: { ...ROSE, id: request.id } };
  }
}
GrpcMethod("StoreService", "GetFlower")(StoreController.prototype, "getFlower", Object.getOwnPropertyDescriptor(StoreController.prototype, "getFlower")!);
Controller()(StoreController);
class AppModule {}
Module({ controllers: [StoreController] })(AppModule);

// Nest does not tell which port it bound, so it is given a free one.
const port = await freePort();
const app = await NestFactory.createMicroservice<MicroserviceOptions>(AppModule, {
  transport: Transport.GRPC,
  options: { ...nestGrpcOptions, url: `127.0.0.1:${port}` },
  logger: ["warn", "error"],
});
await app.listen();
announce({ port }, () => app.close());
