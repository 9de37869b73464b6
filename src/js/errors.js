// The error classes every rejection of conveyor-client is an instance of.
//
// They live in JS, not Rust, because only a real `class ... extends Error` gives callers
// `instanceof`, a stack and `cause` in every runtime. Rust builds them in one place
// (`src/js_error.rs`) through `makeError`; `verifyWebhook` (src/js/webhook.js, plain JS)
// and the argument checks of `src/js/resources.js` build theirs directly. The package entries re-export them from the package's one copy
// of this file, which both builds' glues and the webhook module import
// (scripts/post-build.mjs), so each class exists once.

export class ConveyorError extends Error {
  constructor(message, fields) {
    const f = fields || {};
    super(message, f.cause === undefined ? undefined : { cause: f.cause });
    this.code = f.code === undefined ? "http_error" : f.code;
    this.status = f.status;
    this.method = f.method;
    this.path = f.path;
    this.requestId = f.requestId;
    this.retryable = Boolean(f.retryable);
    if (f.retryAfterMs !== undefined) this.retryAfterMs = f.retryAfterMs;
    if (f.details !== undefined) this.details = f.details;
  }
}

export class ConveyorAuthError extends ConveyorError {}
export class ConveyorNotFoundError extends ConveyorError {}
export class ConveyorValidationError extends ConveyorError {}
export class ConveyorRateLimitError extends ConveyorError {}
export class ConveyorServerError extends ConveyorError {}
export class ConveyorTimeoutError extends ConveyorError {}
export class ConveyorAbortError extends ConveyorError {}
export class ConveyorNetworkError extends ConveyorError {}
export class ConveyorResponseError extends ConveyorError {}
export class ConveyorConfigError extends ConveyorError {}
export class ConveyorWebhookError extends ConveyorError {}

const CLASSES = {
  ConveyorError,
  ConveyorAuthError,
  ConveyorNotFoundError,
  ConveyorValidationError,
  ConveyorRateLimitError,
  ConveyorServerError,
  ConveyorTimeoutError,
  ConveyorAbortError,
  ConveyorNetworkError,
  ConveyorResponseError,
  ConveyorConfigError,
  ConveyorWebhookError,
};

// `name` on the prototype (not on each instance) keeps JSON.stringify(err) to the data
// fields while `err.name` and stack headers still read e.g. "ConveyorAuthError".
for (const [name, cls] of Object.entries(CLASSES)) {
  Object.defineProperty(cls.prototype, "name", { value: name, writable: true, configurable: true });
}

// The class of each `ErrorKind`, by its number, in the enum's order (src/errors.rs tests it
// against `ErrorKind::class_name`); `code` comes with it, already the kind's.
const BY_KIND = [
  ConveyorAuthError,
  ConveyorNotFoundError,
  ConveyorValidationError,
  ConveyorRateLimitError,
  ConveyorRateLimitError,
  ConveyorServerError,
  ConveyorTimeoutError,
  ConveyorAbortError,
  ConveyorNetworkError,
  ConveyorResponseError,
  ConveyorResponseError,
  ConveyorConfigError,
  ConveyorError,
];

export function makeError(kind, code, message, fields) {
  fields.code = code;
  return new (BY_KIND[kind] || ConveyorError)(message, fields);
}

// One rate-limit bucket per key and base URL in a realm, across the package's two builds
// (the lean one and conveyor-client/stores): each build's wasm has its own registry, and
// this module is the one both glues share. Each glue registers, when it loads, a function
// that says whether its build has a live bucket for a key and base URL (an export of its
// .wasm, scripts/post-build.mjs); a build about to make a bucket asks them all, its own
// answering no while it asks. Only the functions are kept: the key is an argument, never
// stored.
const bucketCheckers = [];

export function addBucketCheck(check) {
  bucketCheckers.push(check);
}

export function bucketElsewhere(key, baseUrl) {
  return bucketCheckers.some((check) => check(key, baseUrl));
}
