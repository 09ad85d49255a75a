// The contract: buf lint passes, and buf breaking finds no breaking change against the baseline
// image kept in proto/baseline.binpb (renew it on purpose with `npm run contract:baseline`).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";

const run = promisify(execFile);
const buf = join(process.cwd(), "node_modules", ".bin", "buf");
const exitCode = (args: string[], cwd = ".") => run(buf, args, { cwd }).then(() => 0, (e: { code: number }) => e.code);

test("the contract passes buf lint", async () => {
  assert.equal(await exitCode(["lint"]), 0);
});

test("the contract has no breaking change against the baseline image", async () => {
  assert.equal(await exitCode(["breaking", "proto", "--against", "proto/baseline.binpb"]), 0);
});

test("buf breaking does catch a breaking change (a renumbered field)", async () => {
  const dir = await mkdtemp(join(tmpdir(), "contract-"));
  try {
    await cp("proto", join(dir, "proto"), { recursive: true });
    await cp("buf.yaml", join(dir, "buf.yaml"));
    const file = join(dir, "proto/flower/v1/order.proto");
    const text = await readFile(file, "utf8");
    await writeFile(file, text.replace("string flower_id = 1;", "string flower_id = 99;"));
    const code = await exitCode(["breaking", "proto", "--against", join(process.cwd(), "proto/baseline.binpb")], dir);
    assert.equal(code, 100);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
