// The baseline: a bare grpc-js server (no middleware, no database) answering grpc.health.v1
// Health/Check with protobuf-es serializers. Prints {"port":N} once bound; SIGTERM stops it.
import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { unaryDefinition } from "./grpc-definition.js";
import {
  Health,
  HealthCheckResponseSchema,
  HealthCheckResponse_ServingStatus,
  type HealthCheckRequest,
  type HealthCheckResponse,
} from "../gen/grpc/health/v1/health_pb.js";

const definition: grpc.ServiceDefinition = { Check: unaryDefinition(Health.method.check) };
const serving = create(HealthCheckResponseSchema, { status: HealthCheckResponse_ServingStatus.SERVING });

const server = new grpc.Server();
server.addService(definition, {
  Check: (_call: grpc.ServerUnaryCall<HealthCheckRequest, HealthCheckResponse>, respond: grpc.sendUnaryData<HealthCheckResponse>) => respond(null, serving),
});
server.bindAsync(`127.0.0.1:${Number(process.env.PORT ?? 0)}`, grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) {
    process.stderr.write(`echo server: ${err.message}\n`);
    process.exit(1);
  }
  process.stdout.write(JSON.stringify({ port }) + "\n");
});
process.once("SIGTERM", () => server.tryShutdown(() => process.exit(0)));
