import { randomFillSync } from "node:crypto";

// UUIDv7 (RFC 9562): 48-bit Unix time in ms, version 7, a 12-bit counter in rand_a
// (method 1 of section 6.2) so that ids made in the same millisecond by this process still
// sort in the order they were made, variant 10, then 62 random bits.
let lastMs = 0;
let counter = 0;

// Random bytes drawn 4 KiB at a time: a system call per id cost more than the rest of making it.
const pool = Buffer.alloc(4096);
let used = pool.length;
function random(n: number): Buffer {
  if (used + n > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  return pool.subarray(used, (used += n));
}

/**
 * A new UUIDv7 string: time-ordered, so primary keys stay append-only in B-trees and the
 * outbox relay can publish events in the order they were emitted, simply by id.
 */
export function newId(): string {
  let ms = Date.now();
  if (ms > lastMs) {
    lastMs = ms;
    counter = random(2).readUInt16BE(0) & 0x3ff; // start low: leaves room to count up
  } else {
    ms = lastMs; // same millisecond, or the clock went back: keep counting from the last one
    counter++;
    if (counter > 0xfff) {
      lastMs = ++ms;
      counter = 0;
    }
  }
  const bytes = Buffer.from(random(16)); // a copy: the pool is refilled under it
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8] & 0x3f);
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The time encoded in a UUIDv7 (e.g. to tell how old an event id is). */
export function idTime(id: string): Date {
  return new Date(parseInt(id.replace(/-/g, "").slice(0, 12), 16));
}
