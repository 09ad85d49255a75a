import type { DescService } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import * as grpc from "@grpc/grpc-js";
import { format } from "node:util";
import { escapeForLog } from "../log/escape.js";
import type { Logger } from "../log/logger.js";
import { bindGrpcService } from "./grpc-adapter.js";
import { answerCallerFaultsAsInvalidArgument } from "./grpc-caller-faults.js";

/** The largest message either port reads or writes (gRPC's usual default). */
export const maxMessageBytes = 4 * 1024 * 1024;

/** A service and its (already wrapped) handlers, as both servers take them. */
export interface ServedService {
  service: DescService;
  impl: Partial<ServiceImpl<DescService>>;
}

/** What the gRPC port serves and where it logs. */
export interface GrpcServerOptions {
  services: ServedService[];
  logger: Logger;
}

/** The gRPC port: grpc-js for speed, and for the Trailers-Only errors that Istio's outlier detection counts. */
export interface GrpcServer {
  /** Binds `host:port` (0 picks a free port) and resolves to the bound port. */
  listen(host: string, port: number): Promise<number>;
  /** Stops accepting, lets in-flight calls finish, and cuts what is left after `timeoutMs`. */
  shutdown(timeoutMs: number): Promise<void>;
}

// Keepalive pings find dead peers behind NATs and proxies; 4 MiB matches the HTTP port's limit.
const serverOptions: grpc.ServerOptions = {
  "grpc.max_receive_message_length": maxMessageBytes,
  "grpc.max_send_message_length": maxMessageBytes,
  "grpc.keepalive_time_ms": 30_000,
  "grpc.keepalive_timeout_ms": 10_000,
};

/** Creates the grpc-js server for the given services (handlers are served as given: wrap them first). */
export function createGrpcServer({ services, logger }: GrpcServerOptions): GrpcServer {
  answerCallerFaultsAsInvalidArgument();
  grpc.setLogger(grpcJsLogger(logger));
  const server = new grpc.Server(serverOptions);
  for (const { service, impl } of services) {
    const { definition, handlers } = bindGrpcService(service, impl, logger);
    server.addService(definition, handlers);
  }
  return {
    listen(host, port) {
      const address = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
      return new Promise((resolve, reject) => {
        server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound)));
      });
    },
    shutdown(timeoutMs) {
      return new Promise((resolve) => {
        const force = setTimeout(() => {
          logger.warn("grpc server forced to close", { timeoutMs });
          server.forceShutdown();
          resolve();
        }, timeoutMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
    },
  };
}

// grpc-js's own lines (one process-wide logger) as JSON lines, escaped: they quote what callers
// sent ("Failed to add metadata entry x-correlation-id: <tab>...").
function grpcJsLogger(logger: Logger): Partial<Console> {
  const line = (level: "warn" | "info" | "debug") => (message?: unknown, ...rest: unknown[]) =>
    logger[level]("grpc-js", { detail: escapeForLog(format(message, ...rest), 300) });
  return { error: line("warn"), info: line("info"), debug: line("debug") };
}
