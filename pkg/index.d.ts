// Type declarations for conveyor-client. One file for every entry: the runtime entries
// differ only in how they load the .wasm.

/** Options for {@link ConveyorClient}. */
export interface ConveyorClientOptions {
  /** The Conveyor API key (Settings > Integrations > Conveyor API). Never logged. */
  apiKey: string;
  /** Defaults to `https://api.conveyor.com/api/v2`. Must be `https:` unless loopback. */
  baseUrl?: string;
  /** The header the key is sent in; defaults to `X-API-KEY`. */
  apiKeyHeader?: string;
  /** A `fetch` to use instead of the global one (tests, proxies, instrumentation). */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
}

/** A client for the Conveyor API. */
export declare class ConveyorClient {
  constructor(options: ConveyorClientOptions);
  /** The base URL requests go to. */
  readonly baseUrl: string;
  /**
   * Sends an authenticated request to `path` (relative to `baseUrl`) and resolves with the
   * standard `Response`. Rejects with a {@link ConveyorError} subclass on every failure.
   */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** A summary that never contains the key. */
  toJSON(): { baseUrl: string; apiKey: string };
  toString(): string;
  /** Releases the wasm memory behind this client. */
  free(): void;
}

/** Stable machine-readable error codes. */
export type ConveyorErrorCode =
  | "forbidden"
  | "not_found"
  | "invalid_request"
  | "rate_limited"
  | "queue_full"
  | "server_error"
  | "timeout"
  | "aborted"
  | "network"
  | "bad_response"
  | "config"
  | "http_error";

/** The base of every error conveyor-client throws or rejects with. */
export declare class ConveyorError extends Error {
  readonly code: ConveyorErrorCode;
  /** HTTP status, when a response arrived. */
  readonly status?: number;
  readonly method?: string;
  /** The request path, with secret-looking query values redacted. */
  readonly path?: string;
  readonly requestId?: string;
  /** Whether trying again later may succeed. */
  readonly retryable: boolean;
  readonly cause?: unknown;
}
/** 403: the key is invalid, inactive or lacks the permission for this endpoint. */
export declare class ConveyorAuthError extends ConveyorError {
  readonly code: "forbidden";
  readonly status: 403;
}
/** 404. */
export declare class ConveyorNotFoundError extends ConveyorError {
  readonly code: "not_found";
}
/** 400, 409, 413, 422, or a parameter rejected before sending. */
export declare class ConveyorValidationError extends ConveyorError {
  readonly code: "invalid_request";
  /** The parsed error body, when it was JSON. */
  readonly details?: unknown;
}
/** 429 after retries, or the local queue is full. */
export declare class ConveyorRateLimitError extends ConveyorError {
  readonly code: "rate_limited" | "queue_full";
  /** How long the server asked to wait, in ms. */
  readonly retryAfterMs?: number;
}
/** 5xx after retries. */
export declare class ConveyorServerError extends ConveyorError {
  readonly code: "server_error";
}
/** An attempt or the whole call ran past its time. */
export declare class ConveyorTimeoutError extends ConveyorError {
  readonly code: "timeout";
}
/** The caller's signal aborted. */
export declare class ConveyorAbortError extends ConveyorError {
  readonly code: "aborted";
}
/** fetch itself failed (DNS, reset, CORS), or a redirect pointed elsewhere. */
export declare class ConveyorNetworkError extends ConveyorError {
  readonly code: "network";
}
/** A 2xx whose body is malformed or not of the expected shape. */
export declare class ConveyorResponseError extends ConveyorError {
  readonly code: "bad_response";
}
/** Bad options at construction, or a URL that would send the key elsewhere. */
export declare class ConveyorConfigError extends ConveyorError {
  readonly code: "config";
}
