import {
  create, fromBinary, toBinary, type DescFile, type DescMessage, type DescService, type MessageInitShape, type MessageShape,
} from "@bufbuild/protobuf";
import { nestedTypes } from "@bufbuild/protobuf/reflect";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { Code, type ServiceImpl } from "@connectrpc/connect";
import {
  ServerReflection,
  ServerReflectionRequestSchema,
  ServerReflectionResponseSchema,
  type ServerReflectionRequest,
  type ServerReflectionResponse,
} from "../../gen/grpc/reflection/v1/reflection_pb.js";
import * as v1alpha from "../../gen/grpc/reflection/v1alpha/reflection_pb.js";

type Answer = MessageInitShape<typeof ServerReflectionResponseSchema>["messageResponse"];

/**
 * grpc.reflection.v1 over the protobuf-es descriptors the services were generated with, so that
 * grpcurl and Postman can explore either port (@grpc/reflection only works with proto-loader).
 */
export function createReflection(services: DescService[]): ServiceImpl<typeof ServerReflection> {
  return { serverReflectionInfo: reflectionInfo(services) };
}

/**
 * grpc.reflection.v1alpha, which older clients still ask for. Its messages are v1's under another
 * package, same fields and numbers, so each one crosses over through its wire form to the v1 logic.
 */
export function createReflectionV1Alpha(services: DescService[]): ServiceImpl<typeof v1alpha.ServerReflection> {
  const info = reflectionInfo(services);
  return {
    async *serverReflectionInfo(requests) {
      async function* asV1() {
        for await (const r of requests) yield recode(v1alpha.ServerReflectionRequestSchema, ServerReflectionRequestSchema, r);
      }
      for await (const r of info(asV1())) yield recode(ServerReflectionResponseSchema, v1alpha.ServerReflectionResponseSchema, r);
    },
  };
}

function recode<From extends DescMessage, To extends DescMessage>(from: From, to: To, message: MessageShape<From>): MessageShape<To> {
  return fromBinary(to, toBinary(from, message));
}

function reflectionInfo(services: DescService[]): (requests: AsyncIterable<ServerReflectionRequest>) => AsyncIterable<ServerReflectionResponse> {
  const index = indexFiles(services.map((s) => s.file));
  const encoded = new Map<string, Uint8Array>(); // file name to its FileDescriptorProto bytes, made once

  const files = (file: DescFile | undefined, what: string): Answer => {
    if (!file) return { case: "errorResponse", value: { errorCode: Code.NotFound, errorMessage: `${what} not found` } };
    return { case: "fileDescriptorResponse", value: { fileDescriptorProto: withDependencies(file, encoded) } };
  };

  const answer = (request: ServerReflectionRequest["messageRequest"]): Answer => {
    switch (request.case) {
      case "listServices":
        return { case: "listServicesResponse", value: { service: services.map((s) => ({ name: s.typeName })) } };
      case "fileByFilename":
        return files(index.files.get(request.value), `file "${request.value}"`);
      case "fileContainingSymbol":
        return files(index.symbols.get(request.value), `symbol "${request.value}"`);
      case "fileContainingExtension": {
        const { containingType, extensionNumber } = request.value;
        return files(index.extensions.get(containingType)?.get(extensionNumber), `extension ${extensionNumber} of "${containingType}"`);
      }
      case "allExtensionNumbersOfType": {
        if (!index.symbols.has(request.value)) return files(undefined, `type "${request.value}"`);
        const numbers = [...(index.extensions.get(request.value)?.keys() ?? [])].sort((a, b) => a - b);
        return { case: "allExtensionNumbersResponse", value: { baseTypeName: request.value, extensionNumber: numbers } };
      }
      default:
        return { case: "errorResponse", value: { errorCode: Code.InvalidArgument, errorMessage: "empty reflection request" } };
    }
  };

  return async function* (requests) {
    for await (const request of requests) {
      yield create(ServerReflectionResponseSchema, {
        validHost: request.host,
        originalRequest: request,
        messageResponse: answer(request.messageRequest),
      });
    }
  };
}

interface FileIndex {
  /** File name ("flower/v1/store.proto") to file. */
  files: Map<string, DescFile>;
  /** Fully-qualified symbol (service, method, message, field, enum, enum value, extension) to its file. */
  symbols: Map<string, DescFile>;
  /** Extended message name to extension number to the file declaring the extension. */
  extensions: Map<string, Map<number, DescFile>>;
}

function indexFiles(roots: DescFile[]): FileIndex {
  const index: FileIndex = { files: new Map(), symbols: new Map(), extensions: new Map() };
  const visit = (file: DescFile) => {
    if (index.files.has(file.proto.name)) return;
    index.files.set(file.proto.name, file);
    for (const type of nestedTypes(file)) {
      index.symbols.set(type.typeName, file);
      switch (type.kind) {
        case "message":
          for (const field of type.fields) index.symbols.set(`${type.typeName}.${field.name}`, file);
          break;
        case "enum": {
          // Enum values are scoped like C++ enums: siblings of the enum, not children.
          const scope = type.parent?.typeName ?? file.proto.package;
          for (const value of type.values) index.symbols.set(scope ? `${scope}.${value.name}` : value.name, file);
          break;
        }
        case "service":
          for (const method of type.methods) index.symbols.set(`${type.typeName}.${method.name}`, file);
          break;
        case "extension": {
          const byNumber = index.extensions.get(type.extendee.typeName) ?? new Map<number, DescFile>();
          byNumber.set(type.number, file);
          index.extensions.set(type.extendee.typeName, byNumber);
          break;
        }
      }
    }
    file.dependencies.forEach(visit);
  };
  roots.forEach(visit);
  return index;
}

// The file first, then everything it imports, transitively, each once.
function withDependencies(file: DescFile, encoded: Map<string, Uint8Array>): Uint8Array[] {
  const seen = new Map<string, Uint8Array>();
  const visit = (f: DescFile) => {
    if (seen.has(f.proto.name)) return;
    let bytes = encoded.get(f.proto.name);
    if (!bytes) encoded.set(f.proto.name, (bytes = toBinary(FileDescriptorProtoSchema, f.proto)));
    seen.set(f.proto.name, bytes);
    f.dependencies.forEach(visit);
  };
  visit(file);
  return [...seen.values()];
}
