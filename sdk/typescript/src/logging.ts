// Connector logs on stderr: one JSON object per line (`json`, the default under a host) or a
// readable line (`text`), as docs/runtime.md says. Messages are short lower-case texts; everything
// else is a structured field. Secret values print as "***" and known secrets are scrubbed.

import { Secret, scrub } from "./secret.js";

export type Level = "TRACE" | "DEBUG" | "INFO" | "WARN" | "ERROR";
const ORDER: Record<Level, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };

export type Fields = Record<string, unknown>;

interface Sink {
  format: "json" | "text";
  min: Level;
  write: (line: string) => void;
}

const sink: Sink = {
  format: "text",
  min: "INFO",
  write: (line) => process.stderr.write(line),
};

/** Sets the process-wide format and level (the runtime does this from the environment). */
export function configureLogging(format: "json" | "text", min: Level = "INFO", write?: (line: string) => void): void {
  sink.format = format;
  sink.min = min;
  if (write) sink.write = write;
}

function plain(value: unknown): unknown {
  if (value instanceof Secret) return "***";
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Error) return value.message;
  return value;
}

/** A logger with a target and fields carried into every line (session_id, call, ...). */
export class Logger {
  constructor(
    readonly target: string,
    private readonly fields: Fields = {},
  ) {}

  child(fields: Fields): Logger {
    return new Logger(this.target, { ...this.fields, ...fields });
  }

  log(level: Level, message: string, fields: Fields = {}): void {
    if (ORDER[level] < ORDER[sink.min]) return;
    const all: Fields = { ...this.fields, ...fields };
    const timestamp = new Date().toISOString();
    let line: string;
    if (sink.format === "json") {
      const record: Fields = { timestamp, level, target: this.target, message };
      for (const [k, v] of Object.entries(all)) record[k] = plain(v);
      line = JSON.stringify(record);
    } else {
      const rest = Object.entries(all)
        .map(([k, v]) => `${k}=${JSON.stringify(plain(v))}`)
        .join(" ");
      line = `${timestamp} ${level.padEnd(5)} ${this.target}: ${message}${rest ? " " + rest : ""}`;
    }
    sink.write(scrub(line) + "\n");
  }

  trace(message: string, fields?: Fields): void {
    this.log("TRACE", message, fields);
  }
  debug(message: string, fields?: Fields): void {
    this.log("DEBUG", message, fields);
  }
  info(message: string, fields?: Fields): void {
    this.log("INFO", message, fields);
  }
  warn(message: string, fields?: Fields): void {
    this.log("WARN", message, fields);
  }
  error(message: string, fields?: Fields): void {
    this.log("ERROR", message, fields);
  }
}
