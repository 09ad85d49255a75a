// A minimal HTTP/1.1 GET caller over one keep-alive connection: what the latency runs of REST
// use, failing like the gRPC caller (a CallError named after the status) so bench/load.ts counts it.
import * as http from "node:http";
import { CallError } from "./grpc-client.js";

export interface HttpGetter {
  /** GETs `url` and resolves to the body of a 2xx answer. */
  (): Promise<string>;
  close(): void;
}

export function httpGetter(url: string, timeoutMs = 10_000): HttpGetter {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = (() =>
    new Promise<string>((resolve, reject) => {
      const req = http.get(url, { agent, timeout: timeoutMs }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(body);
          else reject(new CallError(`HTTP ${status}`, body.slice(0, 200)));
        });
        res.on("error", reject);
      });
      req.on("timeout", () => req.destroy(new CallError("TIMEOUT", `no answer from ${url} in ${timeoutMs} ms`)));
      req.on("error", reject);
    })) as HttpGetter;
  get.close = () => agent.destroy();
  return get;
}
