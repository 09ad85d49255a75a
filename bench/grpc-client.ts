// A minimal grpc-js unary caller with protobuf-es serializers: the one client every phase
// uses, so the bare echo server and the mesh services are driven the same way.
import { create, fromBinary, toBinary, type DescMessage, type DescMethodUnary, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";

/** A failed call: the gRPC status name ("UNAVAILABLE", "DEADLINE_EXCEEDED"...) and message. */
export class CallError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export interface UnaryCaller<I extends DescMessage, O extends DescMessage> {
  (request: MessageInitShape<I>): Promise<MessageShape<O>>;
  close(): void;
}

const statusName = (code: number | undefined) => (code !== undefined && grpc.status[code]) || "UNKNOWN";

/** Calls `method` on `address` (host:port) over one HTTP/2 connection; each call gets `deadlineMs`. */
export function unaryCaller<I extends DescMessage, O extends DescMessage>(
  address: string,
  method: DescMethodUnary<I, O>,
  deadlineMs = 10_000,
): UnaryCaller<I, O> {
  const channel = new grpc.Client(address, grpc.credentials.createInsecure());
  const path = `/${method.parent.typeName}/${method.name}`;
  const serialize = (m: MessageShape<I>) => Buffer.from(toBinary(method.input, m));
  const deserialize = (b: Buffer) => fromBinary(method.output, b);
  const call = ((request: MessageInitShape<I>) =>
    new Promise<MessageShape<O>>((resolve, reject) => {
      channel.makeUnaryRequest(path, serialize, deserialize, create(method.input, request), new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (err, res) => {
        if (err) reject(new CallError(statusName(err.code), err.details || err.message));
        else resolve(res!);
      });
    })) as UnaryCaller<I, O>;
  call.close = () => channel.close();
  return call;
}

/** The status name of whatever a call threw. */
export function errorCode(error: unknown): string {
  return error instanceof CallError ? error.code : "CLIENT_ERROR";
}
