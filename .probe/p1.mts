import { connect, nanos } from "nats";
const nc = await connect({ servers: "127.0.0.1:4222" });
const jsm = await nc.jetstreamManager();
for await (const s of jsm.streams.list()) console.log("stream", s.config.name, s.config.subjects);
try { await jsm.streams.info("NOPE_X"); } catch (e: any) { console.log("info err", e.code, e.message, e.api_error); }
await jsm.streams.add({ name: "PROBE_A", subjects: ["probe.a.>"], duplicate_window: nanos(120000) });
const r1 = await jsm.streams.add({ name: "PROBE_A", subjects: ["probe.a.>"], duplicate_window: nanos(120000) }).then(() => "same ok", (e: any) => e.api_error);
console.log("re-add same", r1);
const r2 = await jsm.streams.add({ name: "PROBE_A", subjects: ["probe.a.>", "probe.b.>"] }).then(() => "diff ok", (e: any) => e.api_error);
console.log("re-add diff", r2);
const r3 = await jsm.streams.add({ name: "PROBE_B", subjects: ["probe.a.x"] }).then(() => "overlap ok", (e: any) => e.api_error);
console.log("overlap", r3);
await jsm.consumers.add("PROBE_A", { durable_name: "c1", ack_policy: "explicit" as any, filter_subject: "probe.a.x" });
const r4 = await jsm.consumers.add("PROBE_A", { durable_name: "c1", ack_policy: "explicit" as any, filter_subject: "probe.a.x" }).then(() => "same ok", (e: any) => e.api_error);
console.log("cons same", r4);
const r5 = await jsm.consumers.add("PROBE_A", { durable_name: "c1", ack_policy: "explicit" as any, filter_subject: "probe.a.y" }).then(() => "diff ok", (e: any) => e.api_error);
console.log("cons diff", r5);
const r6 = await jsm.consumers.update("PROBE_A", "c1", { filter_subject: "probe.a.y" } as any).then(() => "upd ok", (e: any) => e.api_error);
console.log("cons upd filter", r6);
try { await jsm.consumers.info("PROBE_A", "nope"); } catch (e: any) { console.log("cons info err", e.code, e.api_error); }
const js = nc.jetstream();
try { await js.publish("probe.zzz", new Uint8Array(), { timeout: 1000 }); } catch (e: any) { console.log("pub no stream", e.code, e.message); }
await jsm.streams.delete("PROBE_A");
await nc.close();
