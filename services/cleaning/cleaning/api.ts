import type { ServiceImpl } from "@connectrpc/connect";
import { fieldChecks, toMessage, type Repository } from "../../../mesh/index.js";
import { CleaningSchema, CleaningStatus as Status, type CleaningService } from "../../../gen/cleaning/v1/cleaning_pb.js";
import { idChecks } from "../checks.js";
import { completeCleaning, type Cleaning, type CleaningEvent, type CleaningStatus } from "./domain.js";

// CleaningService handlers (inbound adapter): each is its field rules, then one call.

const message = (c: Cleaning) => toMessage(CleaningSchema, c);
const statusNames: Record<number, CleaningStatus> = { [Status.CLEANING_CONFIRMED]: "CleaningConfirmed", [Status.CLEANING_COMPLETED]: "CleaningCompleted", [Status.CLEANING_CANCELED]: "CleaningCanceled" };

/** Creates the cleaner's RPC handlers. */
export function createCleaningApi(cleanings: Repository<Cleaning, CleaningEvent>): ServiceImpl<typeof CleaningService> {
  return {
    async getCleaning(req) {
      idChecks("id", req.id).throwIfInvalid();
      return { cleaning: message(await cleanings.get(req.id)) };
    },

    async listCleanings(req) {
      fieldChecks().maxLength("requestId", req.requestId, 64).check(req.status === Status.UNSPECIFIED || req.status in statusNames, "status", "must be CleaningConfirmed, CleaningCompleted or CleaningCanceled").throwIfInvalid();
      const where = { requestId: req.requestId || undefined, status: statusNames[req.status] };
      const { items, nextPageToken } = await cleanings.page({ by: "createdAt", where, pageSize: req.pageSize, pageToken: req.pageToken });
      return { cleanings: items.map(message), nextPageToken };
    },

    async completeCleaning(req) {
      idChecks("id", req.id).throwIfInvalid();
      return { cleaning: message(await cleanings.change(req.id, (c) => completeCleaning(c, new Date()))) };
    },
  };
}
