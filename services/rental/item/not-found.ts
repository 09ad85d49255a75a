import { Code, ConnectError } from "@connectrpc/connect";

/** NOT_FOUND for an item never registered or deleted (a deleted item stays as a tombstone). */
export function notFound(id: string): ConnectError {
  return new ConnectError(`item ${JSON.stringify(id)} not found`, Code.NotFound);
}
