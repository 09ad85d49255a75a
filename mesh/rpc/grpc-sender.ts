import { fromBinary, toBinary, type DescMessage, type DescMethodUnary, type MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import * as grpc from "@grpc/grpc-js";
import { connectErrorFromGrpc } from "./client-errors.js";
import type { Sender, Transport } from "./transport.js";

// Keepalive finds dead connections between calls; round_robin spreads calls over every address
// a headless Service resolves to (through a sidecar it is one address, harmless); reconnect
// backoff stays short so a restarted dependency is found again soon after its breaker half-opens.
// grpc-js's own retries are off except transparent ones (calls the server never saw).
const defaultChannelOptions: grpc.ChannelOptions = {
  "grpc.keepalive_time_ms": 30_000,
  "grpc.keepalive_timeout_ms": 10_000,
  "grpc.service_config": JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
  "grpc.initial_reconnect_backoff_ms": 100,
  "grpc.max_reconnect_backoff_ms": 2_000,
};

/** Calls over one grpc-js channel to the dependency's gRPC port. */
export function grpcTransport(address: string, channelOptions?: grpc.ChannelOptions): Transport {
  const channel = new grpc.Client(address, grpc.credentials.createInsecure(), { ...defaultChannelOptions, ...channelOptions });
  return { sender: (method) => createGrpcSender(channel, method), close: () => channel.close() };
}

// One attempt on the wire: context headers as metadata, a gRPC deadline equal to the attempt's
// budget, cancellation when the attempt aborts, grpc errors as ConnectError. A breaker's
// probe waits for a connection (within its deadline) instead of failing at once on a channel still
// in reconnect backoff, so a dependency that is back closes the breaker on the first probe.
function createGrpcSender(channel: grpc.Client, method: DescMethodUnary): Sender {
  const path = `/${method.parent.typeName}/${method.name}`;
  const serialize = (value: MessageShape<DescMessage>) => Buffer.from(toBinary(method.input, value));
  const deserialize = (bytes: Buffer) => fromBinary(method.output, bytes);
  return (message, headers, attempt) =>
    new Promise((resolve, reject) => {
      const metadata = new grpc.Metadata(attempt.probe ? { waitForReady: true } : undefined);
      for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
      let stopListening = () => {};
      const call = channel.makeUnaryRequest(path, serialize, deserialize, message, metadata, { deadline: Date.now() + attempt.timeoutMs }, (error, response) => {
        stopListening();
        if (error) reject(connectErrorFromGrpc(error));
        else if (response) resolve(response);
        else reject(new ConnectError("empty response", Code.Internal));
      });
      stopListening = attempt.onAbort(() => call.cancel());
    });
}
