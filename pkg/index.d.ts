// Type declarations for conveyor-client. One file for every entry of the lean build: the
// runtime entries differ only in how they load the .wasm. `conveyor-client/stores` (the
// build with rate-limit stores) is declared in stores.d.ts, on top of this file.

import type { ConveyorResources, AuthorizationRequest } from "./resources.js";
export * from "./resources.js";

/** Options for {@link ConveyorClient}. */
export interface ConveyorClientOptions {
  /** The Conveyor API key (Settings > Integrations > Conveyor API). Never logged. */
  apiKey: string;
  /** Defaults to `https://api.conveyor.com/api/v2`. Must be `https:` unless loopback. */
  baseUrl?: string;
  /** The header the key is sent in; defaults to `X-API-KEY`. */
  apiKeyHeader?: string;
  /**
   * A `fetch` to use instead of the global one (tests, proxies, instrumentation). It must
   * send `init` as given (`redirect: "manual"` included) and resolve with a `Response`;
   * one from another origin is refused unread (README, "Reliability").
   */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** Per-attempt timeout in ms, headers and body (default 30000, at most 2^31 - 1). */
  timeoutMs?: number;
  /** The largest response body read, in bytes (default 32 MiB; `Infinity` for no cap). */
  maxResponseBytes?: number;
  /** Retries after the first attempt (default 2). */
  maxRetries?: number;
  /** A `Retry-After` longer than this rejects instead of waiting (default 60000, at most 2^31 - 1). */
  maxRetryAfterMs?: number;
  /** The rolling-window limiter; `false` turns it off. */
  rateLimit?: false | RateLimitOptions;
  /** Called when a request starts waiting for a rate-limit token. */
  onRateLimitWait?: (event: RateLimitWaitEvent) => void;
  /** Store support is in `conveyor-client/stores`: this entry throws a `ConveyorConfigError` for it. */
  onRateLimitStore?: undefined;
}

/**
 * Options of the rolling-window limiter: the realm's in-memory bucket. A budget shared
 * through a store needs `conveyor-client/stores`.
 */
export type RateLimitOptions = InMemoryRateLimitOptions;

/** What every limiter takes. */
export interface RateLimitBaseOptions {
  /** Requests allowed in any rolling window (default 2000). */
  limit?: number;
  /** The window in ms (default 300000). */
  windowMs?: number;
  /** Requests that may wait for a token before new ones are refused (default 10000). */
  maxQueue?: number;
  /** Share one bucket with every client of the same key and base URL in this realm (default true). */
  shared?: boolean;
}

/** The in-memory bucket: the budget is this realm's alone. */
export interface InMemoryRateLimitOptions extends RateLimitBaseOptions {
  store?: undefined;
  fleetSize?: undefined;
  lease?: undefined;
  storeTimeoutMs?: undefined;
}

/** A snapshot of the limiter, for progress UIs. */
export interface RateLimitState {
  limit: number;
  windowMs: number;
  /** Tokens that can be spent right now. */
  available: number;
  /** Requests sent whose response has not arrived. */
  inFlight: number;
  /** Requests waiting for a token. */
  queued: number;
  /** ms until the next token returns, or null when one is available (or only in-flight requests hold them). */
  nextTokenInMs: number | null;
  /** With a store: whether it answers, or the client runs on its fallback share. */
  store?: "connected" | "fallback";
}

/** Passed to `onRateLimitWait` when a request joins the queue. */
export interface RateLimitWaitEvent {
  method: string;
  path: string;
  queued: number;
  /** Estimated ms until this request can be sent (at least one window when all tokens are in flight). */
  waitMs: number;
  state: RateLimitState;
}

/** Per-call options of {@link ConveyorClient.request}. */
export interface RequestOptions {
  /** Query parameters; arrays are sent as `name[]=a&name[]=b`, `undefined`/`null` left out. */
  query?: Record<string, string | number | boolean | null | undefined | ReadonlyArray<string | number | boolean>>;
  /** A JSON-serialisable value, or a `FormData`/`Blob`/`ArrayBuffer`/`Uint8Array`/string sent as is. */
  body?: unknown;
  /** Extra headers (a `Headers`, a record or a list of pairs). */
  headers?: RequestInit["headers"];
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** `fetch`'s init plus a per-call timeout. */
export interface ConveyorRequestInit extends RequestInit {
  timeoutMs?: number;
}

/**
 * A client for the Conveyor API. Its namespace getters (`exchange`, `knowledgeBase`...) are
 * declared in {@link ConveyorResources}, generated from the endpoint table.
 */
export interface ConveyorClient extends ConveyorResources {}
/** A client for the Conveyor API. */
export declare class ConveyorClient {
  constructor(options: ConveyorClientOptions);
  /** The base URL requests go to. */
  readonly baseUrl: string;
  /**
   * Sends an authenticated request to `path` (relative to `baseUrl`) and resolves with the
   * standard `Response`. Rejects with a {@link ConveyorError} subclass on every failure.
   */
  fetch(path: string, init?: ConveyorRequestInit): Promise<Response>;
  /**
   * Sends `method` to `path` and resolves with the parsed JSON body (`undefined` when empty).
   */
  request<T = unknown>(method: string, path: string, options?: RequestOptions): Promise<T>;
  /** The limiter's state, or `null` when rate limiting is off. */
  rateLimitState(): RateLimitState | null;
  /**
   * Which resource groups this key can read: one cheap GET per group (the first page of
   * one record, through the limiter, at most 4 at once; never a write). Tells an invalid
   * or inactive key (every group 403) from one that lacks some permissions. Rejects only
   * on bad options or when `signal` aborts.
   */
  checkAccess(options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<AccessCheck>;
  /** A summary that never contains the key. */
  toJSON(): { baseUrl: string; apiKey: string };
  toString(): string;
  /** Releases the wasm memory behind this client. */
  free(): void;
}

/** A resource group {@link ConveyorClient.checkAccess} probes. */
export type AccessResource =
  | "access_requests"
  | "authorizations"
  | "access_groups"
  | "folders"
  | "documents"
  | "connections"
  | "questionnaires"
  | "knowledge_base"
  | "interactions"
  | "product_lines";

/** One probe of {@link ConveyorClient.checkAccess}. */
export interface AccessEntry {
  resource: AccessResource;
  /** The list endpoint probed, relative to `baseUrl`. */
  path: string;
  /** `"forbidden"`: 403; `"error"`: anything else went wrong (see `error`). */
  read: "ok" | "forbidden" | "error";
  /** The HTTP status, `null` when no response arrived. */
  status: number | null;
  /** Only when `read` is `"error"`. */
  error?: ConveyorError;
}

/** One entry per resource group, plus what they mean together. */
export interface AccessCheck extends Array<AccessEntry> {
  /**
   * `"ok"`: every group readable; `"invalid_key"`: every group 403 (invalid or inactive
   * key); `"missing_permissions"`: some 403, some readable; `"incomplete"`: some probes failed.
   */
  verdict: "ok" | "invalid_key" | "missing_permissions" | "incomplete";
  /** One sentence naming the groups concerned; never the key. */
  message: string;
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
  | "too_large"
  | "config"
  | "http_error"
  | ConveyorWebhookErrorCode;

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
/**
 * 403: the key is invalid, inactive or lacks the permission for this endpoint (the API
 * answers all three alike); {@link ConveyorClient.checkAccess} tells which.
 */
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
/** A 2xx whose body is malformed or not of the expected shape (`bad_response`), or larger than `maxResponseBytes` (`too_large`). */
export declare class ConveyorResponseError extends ConveyorError {
  readonly code: "bad_response" | "too_large";
}
/** Bad options at construction, or a URL that would send the key elsewhere. */
export declare class ConveyorConfigError extends ConveyorError {
  readonly code: "config";
}

// ---------------------------------------------------------------------------------------
// Webhooks

/** Why a webhook delivery was refused. */
export type ConveyorWebhookErrorCode =
  | "missing_header"
  | "bad_secret"
  | "bad_signature"
  | "timestamp_out_of_range"
  | "bad_payload";

/**
 * A webhook delivery failed verification. The message never contains the secret or the
 * expected signature. Answer the sender with a 4xx and do nothing.
 */
export declare class ConveyorWebhookError extends ConveyorError {
  readonly code: ConveyorWebhookErrorCode;
}

/** The request headers as received: a `Headers`, or a plain object such as Node's `req.headers`. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

/** Options for {@link verifyWebhook}. */
export interface VerifyWebhookOptions {
  /**
   * The raw request body exactly as received (`await request.text()`,
   * `await request.arrayBuffer()`, or Node's concatenated `Buffer`). A body parsed and
   * serialised again differs in spacing, key order or number formatting, and its signature
   * no longer matches.
   */
  body: string | Uint8Array | ArrayBuffer;
  /** `svix-id`/`svix-timestamp`/`svix-signature` (or the `webhook-*` names), any case. */
  headers: WebhookHeaders;
  /** The endpoint's signing secret as Conveyor shows it (`whsec_…`), or its bare base64. */
  secret: string;
  /** How far the delivery's timestamp may be from now, either way, in seconds. Default 300. */
  toleranceSec?: number;
  /** Larger bodies are refused (`bad_payload`) before they are hashed. Default 1 MiB. */
  maxBodyBytes?: number;
  /** The current time, for tests. Default `Date.now()`. */
  now?: Date | number;
}

/** An access request as an `access.requested` event carries it (the API's AuthorizationRequest). */
export interface AccessRequest extends AuthorizationRequest {
  email: string;
}

/** A new Trust Center access request. Fields beyond these are kept as sent. */
export interface AccessRequestedEvent {
  type: "access.requested";
  /** When the event happened (ISO 8601), if sent. */
  timestamp?: string;
  data: AccessRequest;
  [field: string]: unknown;
}

/**
 * Verifies a webhook delivery's signature (Svix / Standard Webhooks: HMAC-SHA256 of
 * `id.timestamp.body`, constant-time compared) and timestamp, then resolves with the parsed
 * JSON payload. Rejects with {@link ConveyorWebhookError} (`missing_header`, `bad_secret`,
 * `bad_signature`, `timestamp_out_of_range`, `bad_payload`), or {@link ConveyorConfigError}
 * for options of the wrong type (e.g. a parsed object as the body).
 *
 * Conveyor sends `access.requested` events, the default type; still check `event.type`
 * before acting, and name another event type as `E` when one is added.
 */
export declare function verifyWebhook<E extends { type: string } = AccessRequestedEvent>(
  options: VerifyWebhookOptions,
): Promise<E>;
