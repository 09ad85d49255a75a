// What the gateway adds to a REST call: the same GET straight to flower-store's HTTP port and
// through the gateway's, one sequential client (one keep-alive connection), one after the other.
import { closedLoop, type LoadResult } from "./load.js";
import { httpGetter, type HttpGetter } from "./http-client.js";
import { withCpu, type CpuUse } from "./procs.js";
import { REST_PATH } from "./rest-throughput.js";

export interface GatewayLatency {
  path: string;
  seconds: number;
  direct: LoadResult;
  gateway: LoadResult;
  /** CPU of flower-store, the gateway and this client during each run. */
  cpu: { direct: CpuUse; gateway: CpuUse };
}

export async function measureGatewayLatency(options: {
  storeHttpPort: number; gatewayHttpPort: number; /** Every service's pid, by catalog id. */
  pids: Record<string, number>; seconds: number;
}): Promise<GatewayLatency> {
  // Runs `use` with a getter of REST_PATH on `port`, closing its connection after.
  const withGetter = async <T>(port: number, use: (get: HttpGetter) => Promise<T>) => {
    const get = httpGetter(`http://127.0.0.1:${port}${REST_PATH}`);
    try {
      return await use(get);
    } finally {
      get.close();
    }
  };
  // Both must answer the same body, or the comparison would be of two different calls.
  const straight = await withGetter(options.storeHttpPort, (get) => get());
  const routed = await withGetter(options.gatewayHttpPort, (get) => get());
  if (straight !== routed) throw new Error(`GET ${REST_PATH}: the gateway answered ${routed} where flower-store answered ${straight}`);

  const pids = { "flower-store": options.pids["flower-store"], gateway: options.pids.gateway, "bench client": process.pid };
  const run = (phase: string, port: number) => withGetter(port, async (get) => {
    await closedLoop({ phase: `${phase} (warm-up)`, seconds: 1, concurrency: 1, call: get });
    return withCpu(pids, () => closedLoop({ phase, seconds: options.seconds, concurrency: 1, call: get }));
  });
  const direct = await run("REST direct", options.storeHttpPort);
  const gateway = await run("REST via gateway", options.gatewayHttpPort);
  return { path: REST_PATH, seconds: options.seconds, direct: direct.result, gateway: gateway.result, cpu: { direct: direct.use, gateway: gateway.use } };
}
