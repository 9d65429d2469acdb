// Secret: ECMA2's SecureString. Printing, logging or JSON-encoding one shows "***"; only
// expose() gives the clear text. Every secret the SDK has seen is also scrubbed from log lines and
// fault messages (scrub()).

import { inspect } from "node:util";

const known = new Set<string>();
const KNOWN_LIMIT = 1024;

/** Remembers a clear text so scrub() hides it wherever it appears. */
export function rememberSecret(clear: string): void {
  if (clear.length < 4) return; // too short to scrub without mangling ordinary text
  if (known.size >= KNOWN_LIMIT) known.delete(known.values().next().value as string);
  known.add(clear);
}

/** Replaces every known secret in a text with "***". */
export function scrub(text: string): string {
  let out = text;
  for (const s of known) if (out.includes(s)) out = out.split(s).join("***");
  return out;
}

export class Secret {
  readonly #clear: string;

  constructor(clear: string) {
    this.#clear = clear;
    rememberSecret(clear);
  }

  /** The clear text. Never log it. */
  expose(): string {
    return this.#clear;
  }

  toString(): string {
    return "***";
  }

  toJSON(): string {
    return "***";
  }

  [inspect.custom](): string {
    return "Secret(***)";
  }
}
