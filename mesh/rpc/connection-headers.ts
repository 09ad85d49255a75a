// HTTP/1.1's connection headers: the transport's own, never a call's metadata. HTTP/2 forbids
// them (node throws on them, outside the call), so none is taken from a handler or from an error
// passed on from a dependency, on either port.
const names = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "host", "http2-settings", "content-length"]);

/** True for a header name (lower case) that belongs to the connection, not to the call. */
export function isConnectionHeader(name: string): boolean {
  return names.has(name);
}
