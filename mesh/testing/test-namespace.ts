import { randomBytes } from "node:crypto";
import { connect } from "nats";

/** A fresh event namespace, so a test's subjects and streams touch no one else's. */
export function testNamespace(prefix = "t"): string {
  return `${prefix}${randomBytes(5).toString("hex")}`;
}

/** Deletes every stream of a test namespace (they are named `<NS>_<SYSTEM>`). */
export async function deleteNamespaceStreams(natsUrl: string, namespace: string): Promise<void> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await nc.jetstreamManager();
    const prefix = `${namespace.toUpperCase()}_`;
    for await (const stream of jsm.streams.list()) {
      if (stream.config.name.startsWith(prefix)) await jsm.streams.delete(stream.config.name);
    }
  } finally {
    await nc.close();
  }
}
