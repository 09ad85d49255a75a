import assert from "node:assert/strict";
import { createServer } from "node:net";
import { test } from "node:test";
import { connectNats } from "./connect-nats.js";
import { captureLogs, createTcpProxy, eventually } from "./event-fixtures.js";

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test("nothing answering at start is an error naming NATS_URL", async () => {
  const url = `nats://127.0.0.1:${await closedPort()}`;
  const { logger } = captureLogs();
  await assert.rejects(connectNats({ url, name: "t", logger }), (err: Error) => {
    assert.match(err.message, new RegExp(`cannot connect to NATS at NATS_URL=${url}`));
    return true;
  });
});

test("after an outage it reconnects by itself, logging the disconnect and the reconnect", async () => {
  const proxy = await createTcpProxy();
  const { logger, lines } = captureLogs();
  const nc = await connectNats({ url: proxy.url, name: "reconnecting", logger, reconnectWaitMs: 100 });
  try {
    await proxy.cut();
    await eventually("the disconnect to be logged", () => lines.some((l) => l.msg === "NATS disconnected; reconnecting" && l.level === "warn"));
    await proxy.restore();
    await eventually("the reconnect to be logged", () => lines.some((l) => l.msg === "NATS reconnected"));
    await nc.flush(); // the connection works again
    assert.equal(nc.isClosed(), false);
  } finally {
    await nc.close();
    await proxy.close();
  }
});
