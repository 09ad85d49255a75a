/**
 * Text a caller sent, made safe to print: every character outside printable ASCII (tabs, line
 * breaks, escape sequences, bidi overrides, any non-ASCII) written as \xNN or \uNNNN, and cut
 * at `max` characters, so that a log line shows what arrived without a terminal acting on it.
 */
export function escapeForLog(text: string, max = 80): string {
  const head = text.length > max ? text.slice(0, max) : text;
  const escaped = head.replace(/[^\x20-\x5b\x5d-\x7e]/g, (c) => {
    if (c === "\\") return "\\\\";
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
  return text.length > max ? `${escaped}... (${text.length} characters)` : escaped;
}
