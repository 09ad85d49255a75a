import { DiscardPolicy, RetentionPolicy, StorageType, nanos, type JetStreamManager, type NatsError, type StreamConfig } from "nats";
import { deadLetterStreamName, namespacedSubject, streamName, streamSubjects } from "./subjects.js";

/** How long JetStream remembers a Nats-Msg-Id: a relay re-publishing after a crash within it is de-duplicated. */
export const duplicateWindowMs = 2 * 60_000;

const STREAM_NOT_FOUND = 10059;
const STREAM_NAME_IN_USE = 10058;
const SUBJECTS_OVERLAP = 10065;

/**
 * Creates or updates one file-backed stream per system plus the dead-letter stream, so a
 * service can start with an empty NATS. Safe to call from every process at start: creating a
 * stream that exists with the same settings is a no-op, and a changed one is updated.
 */
export async function ensureStreams(
  jsm: JetStreamManager,
  namespace: string,
  systems: readonly string[],
  options: { retentionMs?: number } = {},
): Promise<void> {
  // Events are kept for the retention (0: for ever); dead letters until someone deals with them.
  const maxAge = nanos(options.retentionMs ?? 0);
  const wanted = [...new Set(systems)].map((system) => ({ name: streamName(namespace, system), subjects: [streamSubjects(namespace, system)], maxAge }));
  wanted.push({ name: deadLetterStreamName(namespace), subjects: [namespacedSubject(namespace, "deadletter.>")], maxAge: 0 });
  for (const want of wanted) {
    await ensureStream(jsm, want);
  }
}

async function ensureStream(jsm: JetStreamManager, want: { name: string; subjects: string[]; maxAge: number }): Promise<void> {
  const config: Partial<StreamConfig> = {
    name: want.name,
    subjects: want.subjects,
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    duplicate_window: nanos(duplicateWindowMs),
    max_age: want.maxAge,
  };
  try {
    const read = () => jsm.streams.info(want.name).catch((err: NatsError) => {
      if (err.api_error?.err_code === STREAM_NOT_FOUND) return undefined;
      throw err;
    });
    let info = await read();
    if (!info) {
      try {
        await jsm.streams.add(config);
        return;
      } catch (err) {
        // Another process (or another service in this one) created it a moment ago: with other settings the
        // server says the name is in use; while it creates it, that the subjects overlap. Read it, update it below.
        const code = (err as NatsError).api_error?.err_code;
        if (code !== STREAM_NAME_IN_USE && code !== SUBJECTS_OVERLAP) throw err;
        info = await read();
        if (!info) throw err; // another stream of another name holds these subjects
      }
    }
    if (
      sameSubjects(info.config.subjects, want.subjects) && info.config.duplicate_window === config.duplicate_window &&
      info.config.max_age === config.max_age
    ) {
      return;
    }
    await jsm.streams.update(want.name, { subjects: want.subjects, duplicate_window: config.duplicate_window, max_age: config.max_age });
  } catch (err) {
    throw new Error(`cannot create or update stream ${want.name} (${want.subjects.join(", ")}): ${(err as Error).message}`, { cause: err });
  }
}

function sameSubjects(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return !!a && a.length === b.length && a.every((s) => b.includes(s));
}
