import { connect, Events, type NatsConnection } from "nats";
import type { Logger } from "../log/logger.js";

/** How a service reaches NATS. */
export interface ConnectNatsOptions {
  /** NATS_URL: `nats://host:4222`, or several separated by commas. */
  url: string;
  /** The client name the server shows in its connection list (the service id). */
  name: string;
  logger: Logger;
  /** Wait between reconnect attempts; default 1000 ms. */
  reconnectWaitMs?: number;
}

/**
 * Connects to NATS and stays connected: after the first connection it reconnects forever
 * (an outage pauses events, it never stops the service), logging each disconnect and
 * reconnect. Fails at once with an error naming NATS_URL when nothing answers at start.
 */
export async function connectNats(options: ConnectNatsOptions): Promise<NatsConnection> {
  const { url, name, logger } = options;
  const servers = url.split(",").map((s) => s.trim()).filter(Boolean);
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers,
      name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: options.reconnectWaitMs ?? 1000,
      reconnectJitter: 200,
      timeout: 5000,
      // Every request (each JetStream publish, ack-ack and pull) would otherwise capture two stack
      // traces in case it times out; the timeout error still says what timed out.
      noAsyncTraces: true,
    });
  } catch (err) {
    throw new Error(`cannot connect to NATS at NATS_URL=${url}: ${(err as Error).message} (is nats-server running with JetStream?)`, { cause: err });
  }
  void watchStatus(nc, logger.child({ nats: url }));
  return nc;
}

async function watchStatus(nc: NatsConnection, logger: Logger): Promise<void> {
  for await (const s of nc.status()) {
    switch (s.type) {
      case Events.Disconnect:
        logger.warn("NATS disconnected; reconnecting", { server: s.data });
        break;
      case Events.Reconnect:
        logger.info("NATS reconnected", { server: s.data });
        break;
      case Events.Error:
        logger.error("NATS error", { error: String(s.data) });
        break;
      case Events.LDM:
        logger.warn("NATS server entering lame duck mode", { server: s.data });
        break;
    }
  }
}
