import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema } from "../../gen/google/rpc/error_details_pb.js";

/** The code a call ended with, by name: "OK", "NotFound", "FailedPrecondition"... */
export function codeOf(call: Promise<unknown>): Promise<string> {
  return call.then(() => "OK", (e) => Code[ConnectError.from(e).code]);
}

/** The error a call must end with; a call that succeeds fails the test. */
export async function rpcError(call: Promise<unknown>): Promise<ConnectError> {
  const outcome = await call.then(() => undefined, (e) => ConnectError.from(e));
  if (!outcome) throw new Error("expected the call to fail, and it succeeded");
  return outcome;
}

/** The fields an INVALID_ARGUMENT names in its google.rpc.BadRequest, sorted. */
export function violatedFields(error: ConnectError): string[] {
  return error.findDetails(BadRequestSchema).flatMap((d) => d.fieldViolations.map((v) => v.field)).sort();
}

/** Runs curl (silent) with `args` and resolves to what it printed, without blocking the event loop. */
export async function curl(...args: string[]): Promise<string> {
  return (await promisify(execFile)("curl", ["-s", ...args])).stdout;
}
