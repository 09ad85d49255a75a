import assert from "node:assert/strict";
import { once } from "node:events";
import * as http from "node:http";
import * as http2 from "node:http2";
import { test } from "node:test";
import { createDualListener, type DualHandler } from "./dual-listener.js";
import { connectError, eventually } from "./serving-fixtures.js";
import { curl } from "../testing/rpc-outcomes.js";


// Answers with the HTTP version; "/slow" takes 300 ms, "/hang" never ends.
let arrived = 0;
const handler: DualHandler = (req, res) => {
  arrived++;
  const answer = () => res.end(`http/${req.httpVersion}`);
  if (req.url === "/hang") return;
  if (req.url === "/slow") setTimeout(answer, 300);
  else answer();
};

function h1Get(port: number, path: string, agent: http.Agent) {
  return new Promise<{ body: string; connection?: string }>((resolve, reject) => {
    http.get({ host: "127.0.0.1", port, path, agent }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c)).on("end", () => resolve({ body, connection: res.headers.connection }));
    }).on("error", reject);
  });
}

function h2Get(session: http2.ClientHttp2Session, path: string) {
  return new Promise<string>((resolve, reject) => {
    let body = "";
    session.request({ ":path": path }).on("data", (c) => (body += c)).on("end", () => resolve(body)).on("error", reject);
  });
}

test("one port speaks HTTP/1.1 and h2c", async () => {
  const listener = createDualListener(handler);
  const port = await listener.listen("127.0.0.1", 0);
  assert.equal(await curl(`http://127.0.0.1:${port}/`), "http/1.1");
  assert.equal(await curl("--http2-prior-knowledge", `http://127.0.0.1:${port}/`), "http/2.0");
  const session = http2.connect(`http://127.0.0.1:${port}`);
  assert.equal(await h2Get(session, "/"), "http/2.0");
  session.close();
  await listener.close(1000);
});

test("close: in-flight requests finish, idle keep-alive sockets close, h2 sessions get GOAWAY, new connections are refused", async () => {
  const listener = createDualListener(handler);
  const port = await listener.listen("127.0.0.1", 0);
  const idleAgent = new http.Agent({ keepAlive: true });
  const busyAgent = new http.Agent({ keepAlive: true });
  assert.equal((await h1Get(port, "/", idleAgent)).body, "http/1.1");
  const idleSocket = Object.values(idleAgent.freeSockets)[0]![0];
  const idleClosed = once(idleSocket, "close");

  const session = http2.connect(`http://127.0.0.1:${port}`);
  const goaway = once(session, "goaway");
  const slowH2 = h2Get(session, "/slow");
  const before = arrived;
  const slowH1 = h1Get(port, "/slow", busyAgent);
  await eventually("both requests to be in the handler", () => arrived === before + 2, 5000);

  await listener.close(5000);
  assert.equal(await slowH2, "http/2.0");
  assert.equal((await slowH1).body, "http/1.1");
  await idleClosed;
  await goaway;
  assert.equal(await connectError(port), "ECONNREFUSED");
  idleAgent.destroy();
  busyAgent.destroy();
  session.destroy();
});

test("close: whatever is still open after the timeout is destroyed", async () => {
  const listener = createDualListener(handler);
  const port = await listener.listen("127.0.0.1", 0);
  const agent = new http.Agent({ keepAlive: true });
  const before = arrived;
  const hung = h1Get(port, "/hang", agent).then(() => "answered", (e: NodeJS.ErrnoException) => e.code);
  const session = http2.connect(`http://127.0.0.1:${port}`);
  session.on("error", () => undefined);
  const hungH2 = h2Get(session, "/hang").catch(() => "");
  await eventually("both requests to be in the handler", () => arrived === before + 2, 5000);
  await listener.close(100);
  assert.equal(await hung, "ECONNRESET");
  assert.equal(await hungH2, ""); // cut without an answer
  agent.destroy();
  session.destroy();
});
