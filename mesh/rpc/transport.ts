import type { DescMessage, DescMethodUnary, MessageShape } from "@bufbuild/protobuf";
import type { Attempt } from "./resilience.js";

/** One attempt of one unary call on the wire: context headers in, the answer or a ConnectError out. */
export type Sender = (message: MessageShape<DescMessage>, headers: Record<string, string>, attempt: Attempt) => Promise<MessageShape<DescMessage>>;

/** How a client reaches one dependency: its connections, and a sender per method over them. */
export interface Transport {
  sender(method: DescMethodUnary): Sender;
  /** Closes the connections; calls in flight fail with Unavailable. */
  close(): void;
}

/** The protocols a service may call its dependencies with. */
export const clientProtocols = ["connect", "grpc"] as const;
export type ClientProtocol = (typeof clientProtocols)[number];
