import type { DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import { unavailable } from "../errors/rpc-errors.js";
import { wasAnswered } from "../errors/wire-failure.js";
import { isInternal } from "../proto/visibility.js";
import type { CatalogEntry } from "../service/catalog-entry.js";
import { dependency, type Dependency, type Served } from "../service/define-service.js";
import type { CallOptions, Client } from "../rpc/client.js";

type AnyCall = (request: unknown, options: CallOptions<never>) => Promise<unknown>;

/**
 * What the gateway routes, from the catalog: every protobuf service but the internal ones, by
 * full name, to the one entry (other than the gateway's own) that serves it.
 */
export function routesOf(catalog: readonly CatalogEntry[], gatewayId: string): Record<string, Dependency> {
  const routes: Record<string, Dependency> = {};
  for (const entry of catalog) {
    if (entry.id === gatewayId) continue;
    for (const service of entry.serves) {
      if (isInternal(service)) continue; // a step of a saga, for its system's services alone
      const taken = routes[service.typeName];
      if (taken) throw new Error(`${service.typeName} is served by both ${taken.id} and ${entry.id}: the gateway cannot choose`);
      routes[service.typeName] = dependency(entry.id, service);
    }
  }
  return routes;
}

/** How a forwarding service waits for the owner. */
export interface ForwardOptions {
  /**
   * How long the owner may take when the caller set no deadline (a caller's own, sent as
   * grpc-timeout or connect-timeout-ms, takes its place). A command behind the gateway makes
   * calls of its own, each with its client timeout, so it needs longer than one of them.
   * Default: the client's timeout.
   */
  timeoutMs?: number;
}

/**
 * Serves `service` by calling the same method on the dependency that owns it, through the mesh
 * client (timeout, retry where idempotent, a breaker per method, bulkhead). A dependency that is
 * down or whose breaker is open answers UNAVAILABLE at once, naming it; every error it answered
 * itself (its refusals, and its own Unavailable such as "please pay later" with its retry hint)
 * passes unchanged.
 */
export function forwardTo(route: Dependency, client: Client<DescService>, options: ForwardOptions = {}): Served {
  const calls = client as unknown as Record<string, AnyCall>;
  const impl: Record<string, (request: unknown, ctx: HandlerContext) => Promise<unknown>> = {};
  for (const method of route.service.methods) {
    if (method.methodKind !== "unary") continue; // no streaming RPC is routed through the gateway
    impl[method.localName] = async (request, ctx) => {
      try {
        return await calls[method.localName](request, {
          signal: ctx.signal,
          timeoutMs: ctx.timeoutMs() ?? options.timeoutMs,
          // The cause (connection refused, breaker open...) is in the client's log line.
          fallback: (error) => {
            if (wasAnswered(error)) throw error; // the owner's own words: not ours to reword
            if (error.code === Code.DeadlineExceeded) throw new ConnectError(`${route.id} did not answer in time`, Code.DeadlineExceeded);
            throw unavailable(`${route.id} is unavailable; try again shortly`);
          },
        });
      } catch (error) {
        // Keep the code, message and details; drop the dependency's own response headers.
        if (error instanceof ConnectError) {
          const bare = new ConnectError(error.rawMessage, error.code, undefined, undefined, error.cause);
          bare.details = error.details;
          throw bare;
        }
        throw error;
      }
    };
  }
  return { service: route.service, impl: impl as unknown as Partial<ServiceImpl<DescService>> };
}
