import { defineService, serve } from "../../../mesh/index.js";
import { CleaningService } from "../../../gen/cleaning/v1/cleaning_pb.js";
import { createCleaningApi } from "./api.js";
import { createCleaningPolicies } from "./policies.js";
import { cleanings } from "./tables.js";

/** cleaning's cleaning: the cleaner's jobs. */
export const cleaningContext = defineService({
  id: "cleaning-cleaning",
  port: 8122,
  serves: [CleaningService],
  tables: [cleanings],
  start({ repository }) {
    const rows = repository(cleanings);
    return { rpc: [serve(CleaningService, createCleaningApi(rows))], policies: createCleaningPolicies(rows) };
  },
});
