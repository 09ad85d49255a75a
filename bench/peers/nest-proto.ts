// Nest's gRPC transport loads the project's own contract (proto/, the buf root, with the
// google/api imports it holds), so the bytes on the wire are those of the other scenarios.
import { fileURLToPath } from "node:url";

const protoRoot = fileURLToPath(new URL("../../proto/", import.meta.url));

export const nestGrpcOptions = {
  package: "flower.v1",
  protoPath: "flower/v1/store.proto",
  // longs: String keeps the int64 amount exact without Long objects.
  loader: { includeDirs: [protoRoot], longs: String },
};
