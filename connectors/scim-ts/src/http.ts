// The SCIM HTTP client: base URL, bearer or basic authentication (the credentials are Secrets and
// never logged), a timeout per request, and retries with backoff on 429 and 503 that honour
// Retry-After (seconds or an HTTP date). Cancellation of the ECMA2 call aborts the request and any
// wait between retries.

import { FailedConnectionException, BadServerCredentialsException, type Logger, type Secret } from "ecma2-sdk";

export type Auth = { kind: "none" } | { kind: "bearer"; token: Secret } | { kind: "basic"; user: string; password: Secret };

export interface ClientOptions {
  baseUrl: string;
  auth: Auth;
  /** Per request, milliseconds. */
  timeoutMs: number;
  /** Retries after the first attempt on 429/503. */
  maxRetries: number;
  /** First backoff when the server gives no Retry-After, doubled per retry (milliseconds). */
  backoffMs: number;
  /** The longest wait the client accepts from Retry-After or backoff (milliseconds). */
  maxWaitMs: number;
  log: Logger;
}

/** An HTTP answer that is not a success, with SCIM's error fields. */
export class ScimHttpError extends Error {
  constructor(
    readonly status: number,
    readonly scimType: string,
    readonly detail: string,
    readonly method: string,
    readonly path: string,
  ) {
    super(`${method} ${path}: HTTP ${status}${scimType ? ` ${scimType}` : ""}${detail ? `: ${detail}` : ""}`);
    this.name = "ScimHttpError";
  }
}

export interface Response<T> {
  status: number;
  body: T;
  etag: string | undefined;
}

/** Milliseconds to wait for a Retry-After value, or undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

export class ScimClient {
  /** How many retries this client has made (for logs and tests). */
  retries = 0;

  constructor(private readonly options: ClientOptions) {}

  private headers(extra: Record<string, string>): Record<string, string> {
    const h: Record<string, string> = { accept: "application/scim+json, application/json", ...extra };
    const a = this.options.auth;
    if (a.kind === "bearer") h.authorization = `Bearer ${a.token.expose()}`;
    if (a.kind === "basic") h.authorization = `Basic ${Buffer.from(`${a.user}:${a.password.expose()}`).toString("base64")}`;
    return h;
  }

  /** One SCIM request with retries. Throws ScimHttpError for an error status. */
  async request<T = unknown>(
    method: string,
    path: string,
    signal: AbortSignal,
    body?: unknown,
    extraHeaders: Record<string, string> = {},
  ): Promise<Response<T>> {
    const url = this.options.baseUrl.replace(/\/+$/, "") + path;
    const headers = this.headers(body === undefined ? extraHeaders : { "content-type": "application/scim+json", ...extraHeaders });
    for (let attempt = 0; ; attempt++) {
      const timeout = AbortSignal.timeout(this.options.timeoutMs);
      let res: globalThis.Response;
      try {
        res = await fetch(url, {
          method,
          headers,
          signal: AbortSignal.any([signal, timeout]),
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        if (timeout.aborted) {
          throw new FailedConnectionException(`${method} ${path}: no answer within ${this.options.timeoutMs} ms`);
        }
        const cause = (error as { cause?: { code?: string } }).cause;
        throw new FailedConnectionException(`${method} ${path}: ${cause?.code ?? (error as Error).message}`);
      }
      const text = await res.text();
      if ((res.status === 429 || res.status === 503) && attempt < this.options.maxRetries) {
        const asked = retryAfterMs(res.headers.get("retry-after"));
        const wait = Math.min(asked ?? this.options.backoffMs * 2 ** attempt, this.options.maxWaitMs);
        this.retries += 1;
        this.options.log.warn("scim server asked to retry", { method, path, status: res.status, retry_in_ms: wait, attempt: attempt + 1 });
        await sleep(wait, signal);
        continue;
      }
      let parsed: unknown = undefined;
      if (text !== "") {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = text;
        }
      }
      if (res.status >= 400) {
        const e = (typeof parsed === "object" && parsed !== null ? parsed : {}) as { scimType?: string; detail?: string };
        if (res.status === 401) {
          throw new BadServerCredentialsException(`${method} ${path}: the SCIM server refused the credentials (HTTP 401)`);
        }
        throw new ScimHttpError(res.status, e.scimType ?? "", e.detail ?? (typeof parsed === "string" ? parsed.slice(0, 200) : ""), method, path);
      }
      return { status: res.status, body: parsed as T, etag: res.headers.get("etag") ?? undefined };
    }
  }
}
