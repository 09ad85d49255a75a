import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { createLogger } from "../../mesh/testing/index.js";
import { createLogChannel, createWebhookChannel } from "./channels.js";
import { createNotification } from "./domain.js";

const notification = createNotification("Your flowers were delivered.", "010-1234-5678", {
  id: "n-1", eventId: "e-1", system: "flower", referenceId: "o-1", correlationId: "c-1", eventType: "flower.delivery.DeliveryCompleted", channel: "log", now: new Date(),
});

describe("channels", () => {
  it("log: writes one line with the recipient and the message", async () => {
    const lines: string[] = [];
    await createLogChannel(createLogger({ service: "notification", write: (l) => lines.push(l) })).send(notification);
    assert.equal(lines.length, 1);
    const line = JSON.parse(lines[0]);
    assert.equal(line.recipient, "010-1234-5678");
    assert.equal(line.message, "Your flowers were delivered.");
  });

  it("webhook: POSTs JSON with an idempotency key, and rejects on a non-2xx answer or a timeout", async () => {
    const received: Array<{ key: string | undefined; body: Record<string, unknown> }> = [];
    let answer = 204;
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        received.push({ key: req.headers["idempotency-key"] as string | undefined, body: JSON.parse(body) });
        if (answer === 0) return; // never answer: the channel's timeout must give up
        res.statusCode = answer;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      const channel = createWebhookChannel({ url, timeoutMs: 300 });
      await channel.send(notification);
      assert.equal(received[0].key, "n-1");
      assert.deepEqual(
        { recipient: received[0].body.recipient, message: received[0].body.message, referenceId: received[0].body.referenceId, correlationId: received[0].body.correlationId },
        { recipient: "010-1234-5678", message: "Your flowers were delivered.", referenceId: "o-1", correlationId: "c-1" },
      );
      answer = 503;
      await assert.rejects(channel.send(notification), /HTTP 503/);
      answer = 0;
      await assert.rejects(channel.send(notification), /timeout|abort/i);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
