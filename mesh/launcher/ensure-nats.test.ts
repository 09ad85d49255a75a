import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { connect } from "nats";
import { eventually } from "../testing/eventually.js";
import { freePort } from "../testing/free-port.js";
import { ensureNats, natsAnswers } from "./ensure-nats.js";

test("a NATS that answers is used as it is", async () => {
  assert.equal(await ensureNats("nats://127.0.0.1:4222", tmpdir(), () => {}), undefined);
});

test("with nothing answering, nats-server -js is started from PATH, with JetStream", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ensure-nats-"));
  const url = `nats://127.0.0.1:${await freePort()}`;
  const said: string[] = [];
  const child = await ensureNats(url, dir, (m) => said.push(m));
  try {
    assert.ok(child, "a server was started");
    assert.match(said.join("\n"), /starting .*nats-server -js/);
    const nc = await connect({ servers: url });
    const info = await (await nc.jetstreamManager()).getAccountInfo();
    assert.ok(info.limits !== undefined, "JetStream is on");
    await nc.close();
  } finally {
    child?.kill();
    await eventually("the server to stop", async () => !(await natsAnswers(url)));
    await rm(dir, { recursive: true, force: true });
  }
});

test("with nothing answering and no nats-server on PATH, it says what to install", async () => {
  const path = process.env.PATH;
  process.env.PATH = "/nonexistent";
  try {
    await assert.rejects(ensureNats(`nats://127.0.0.1:${await freePort()}`, tmpdir(), () => {}), /install nats-server/);
  } finally {
    process.env.PATH = path;
  }
});
