import type { MessageInitShape } from "@bufbuild/protobuf";
import type { EventType } from "./event-type.js";
import type { EmitOptions, Transaction } from "./transaction.js";

/**
 * Emits a domain decision's events (plain objects tagged with `type`) through the event type
 * of the same name, so domain code stays free of protobuf. Fields are matched by name.
 */
export function emitEvents<E extends { type: string }>(
  tx: Transaction,
  types: { readonly [K in E["type"]]: EventType },
  events: readonly E[],
  options: EmitOptions | ((event: E) => EmitOptions) = {},
): void {
  for (const event of events) {
    const type = types[event.type as E["type"]];
    tx.emit(type, event as unknown as MessageInitShape<typeof type.schema>, typeof options === "function" ? options(event) : options);
  }
}
