import type { DescService } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { ServerReflection } from "../../gen/grpc/reflection/v1/reflection_pb.js";
import { ServerReflection as ServerReflectionV1Alpha } from "../../gen/grpc/reflection/v1alpha/reflection_pb.js";
import type { Logger } from "../log/logger.js";
import type { MeshMetrics } from "../telemetry/metrics.js";
import { wrapService } from "./handler-chain.js";
import { createGrpcServer, type ServedService } from "./grpc-server.js";
import { createHealth } from "./health.js";
import { createHttpServer } from "./http-server.js";
import type { Readiness } from "./readiness.js";
import { createReflection, createReflectionV1Alpha } from "./reflection.js";

/** What a service process serves and where. */
export interface RpcServerOptions {
  services: ServedService[];
  logger: Logger;
  metrics: MeshMetrics;
  readiness: Readiness;
  host: string;
  /** 0 picks a free port. */
  grpcPort: number;
  /** 0 picks a free port. */
  httpPort: number;
  /** Origins allowed to call the HTTP port from a browser; ["*"] (the default) for any. */
  corsAllowedOrigins?: readonly string[];
  /** An OpenAPI document to serve at /openapi.json on the HTTP port. */
  openApi?: object;
}

/** The ports actually bound. */
export interface RpcServerPorts {
  grpcPort: number;
  httpPort: number;
}

/** One service process's two ports, serving the same handlers with health and reflection on both. */
export interface RpcServer {
  /** Starts both ports and resolves to the ports bound. */
  start(): Promise<RpcServerPorts>;
  /** Marks the process not ready, then closes both ports, letting in-flight calls finish within `timeoutMs`. */
  stop(timeoutMs: number): Promise<void>;
}

/**
 * Creates the gRPC (grpc-js) and HTTP (Connect, gRPC-Web, gRPC, probes, metrics) servers of one
 * process; each service is wrapped by the handler chain once, so both ports behave the same.
 */
export function createRpcServer(options: RpcServerOptions): RpcServer {
  const { logger, metrics, readiness, host } = options;
  const chain = { logger, metrics };
  const served = [...options.services.map((s) => s.service), Health, ServerReflection, ServerReflectionV1Alpha];
  const services: ServedService[] = options.services.map(({ service, impl }) => ({ service, impl: wrapService(service, impl, chain) }));
  const health = wrapService(Health, createHealth({ readiness, services: served.map((s: DescService) => s.typeName) }), chain);
  const reflection = wrapService(ServerReflection, createReflection(served), chain);
  const reflectionV1Alpha = wrapService(ServerReflectionV1Alpha, createReflectionV1Alpha(served), chain);

  const all = [...services, pair(Health, health), pair(ServerReflection, reflection), pair(ServerReflectionV1Alpha, reflectionV1Alpha)];
  const grpcServer = createGrpcServer({ services: all, logger });
  const httpServer = createHttpServer({
    services: all, readiness, metrics, logger, corsAllowedOrigins: options.corsAllowedOrigins, openApi: options.openApi,
  });

  return {
    async start() {
      const grpcPort = await grpcServer.listen(host, options.grpcPort);
      try {
        const httpPort = await httpServer.listen(host, options.httpPort);
        logger.info("rpc server listening", { host, grpcPort, httpPort });
        return { grpcPort, httpPort };
      } catch (error) {
        await grpcServer.shutdown(0);
        throw error;
      }
    },
    async stop(timeoutMs) {
      readiness.startShutdown();
      await Promise.all([grpcServer.shutdown(timeoutMs), httpServer.close(timeoutMs)]);
      logger.info("rpc server stopped");
    },
  };
}

function pair<S extends DescService>(service: S, impl: ServiceImpl<S>): ServedService {
  return { service, impl: impl as Partial<ServiceImpl<DescService>> };
}
