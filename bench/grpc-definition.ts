// A unary method as a bare grpc-js server takes it, with protobuf-es serializers: the bench's
// baseline servers (bench/echo-server.ts, bench/peers/grpc-server.ts) answer with no middleware.
import { fromBinary, toBinary, type DescMessage, type DescMethodUnary, type MessageShape } from "@bufbuild/protobuf";
import type * as grpc from "@grpc/grpc-js";

export function unaryDefinition<I extends DescMessage, O extends DescMessage>(method: DescMethodUnary<I, O>): grpc.MethodDefinition<MessageShape<I>, MessageShape<O>> {
  return {
    path: `/${method.parent.typeName}/${method.name}`,
    requestStream: false,
    responseStream: false,
    requestSerialize: (m) => Buffer.from(toBinary(method.input, m)),
    requestDeserialize: (b) => fromBinary(method.input, b),
    responseSerialize: (m) => Buffer.from(toBinary(method.output, m)),
    responseDeserialize: (b) => fromBinary(method.output, b),
  };
}
