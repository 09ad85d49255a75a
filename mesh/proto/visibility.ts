import { getOption, hasOption, type DescService } from "@bufbuild/protobuf";
import { internal } from "../../gen/common/v1/visibility_pb.js";

/** True for a service marked `option (common.v1.internal) = true`: called by its system's services only, never routed to clients. */
export function isInternal(service: DescService): boolean {
  return hasOption(service, internal) && getOption(service, internal);
}
