import { randomBytes } from "node:crypto";
import { connect, type JetStreamManager, type StreamInfo } from "nats";

/** A fresh event namespace, so a test's subjects and streams touch no one else's. */
export function testNamespace(prefix = "t"): string {
  return `${prefix}${randomBytes(5).toString("hex")}`;
}

/** Every stream of a namespace (named `<NS>_<SYSTEM>`, as streamName names them). */
export async function* namespaceStreams(jsm: JetStreamManager, namespace: string): AsyncGenerator<StreamInfo> {
  const prefix = `${namespace.toUpperCase()}_`;
  for await (const stream of jsm.streams.list()) {
    if (stream.config.name.startsWith(prefix)) yield stream;
  }
}

/** Deletes every stream of a test namespace. */
export async function deleteNamespaceStreams(natsUrl: string, namespace: string): Promise<void> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await nc.jetstreamManager();
    for await (const stream of namespaceStreams(jsm, namespace)) await jsm.streams.delete(stream.config.name);
  } finally {
    await nc.close();
  }
}
