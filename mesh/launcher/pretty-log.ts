// Turns the services' JSON log lines into one readable, aligned stream for people.

const colours = [36, 32, 33, 35, 34, 96, 92, 93, 95, 94];
const levelColour: Record<string, number> = { debug: 90, info: 37, warn: 33, error: 31 };
const hidden = new Set(["time", "level", "service", "msg", "traceId", "spanId", "causationId"]);

/** Formats one line of a service's output; lines that are not JSON pass through as they are. */
export function formatLogLine(service: string, line: string, options: { colour: boolean; width: number; index: number }): string {
  const paint = (code: number, text: string) => (options.colour ? `\x1b[${code}m${text}\x1b[0m` : text);
  const name = paint(colours[options.index % colours.length], service.padEnd(options.width));
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line);
    if (typeof entry !== "object" || entry === null) throw new Error("not an object");
  } catch {
    return `${" ".repeat(12)} ${name} ${line}`;
  }
  const time = typeof entry.time === "string" ? entry.time.slice(11, 23) : "".padEnd(12);
  const level = String(entry.level ?? "info");
  const fields = Object.entries(entry)
    .filter(([k]) => !hidden.has(k))
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
  return `${time} ${name} ${paint(levelColour[level] ?? 37, level.padEnd(5))} ${entry.msg ?? ""}${fields ? "  " + paint(90, fields) : ""}`;
}
