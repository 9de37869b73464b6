//! One call, end to end: limiter token, attempt with timeout, same-origin redirects,
//! classification, retry decision, backoff, and the typed error when it all fails.
//!
//! Every decision is delegated to the pure modules ([`crate::retry`], [`crate::classify`],
//! [`crate::url`], [`crate::limiter`]); this file only sequences them around JS calls.

use crate::abort::{race, AbortWatch, Deadline, Raced};
use crate::body::{self, AtCap, BodyError};
use crate::classify;
use crate::errors::{Error, ErrorKind};
use crate::fallible;
use crate::js_error;
use crate::redact;
use crate::retry::{Attempt, Decision, RetryPolicy};
use crate::scheduler::{self, now_ms, Permit, SharedScheduler, WaitError, WaitNotice};
use crate::transport::{FetchFn, Head, Outgoing, SendError};
use crate::url as urls;
use js_sys::Function;
use wasm_bindgen::JsValue;
use web_sys::{AbortController, Headers, Response};

/// How many same-origin redirects one call follows.
const MAX_REDIRECTS: u32 = 5;

/// A failure with its optional JS extras (`cause`, `details`).
pub(crate) struct Failure {
    pub error: Error,
    pub cause: Option<JsValue>,
    pub details: Option<JsValue>,
}

impl Failure {
    pub(crate) fn new(error: Error) -> Failure {
        Failure {
            error,
            cause: None,
            details: None,
        }
    }

    pub(crate) fn caused_by(mut self, cause: JsValue) -> Failure {
        self.cause = Some(cause);
        self
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        Failure::new(error)
    }
}

/// What the pipeline needs from the client, shared by all its calls.
pub(crate) struct Pipeline {
    pub origin: String,
    pub fetch: FetchFn,
    pub scheduler: Option<SharedScheduler>,
    pub retry: RetryPolicy,
    pub timeout_ms: f64,
    /// The largest body read (`None`: no cap).
    pub max_response_bytes: Option<usize>,
    /// The key, only to mask it out of what servers send back.
    pub api_key: String,
    pub on_rate_limit_wait: Option<Function>,
}

/// One call as the caller described it, the URL already built and checked.
pub(crate) struct Call {
    pub method: String,
    /// Absolute URL on the pipeline's origin.
    pub url: String,
    /// The path for errors, secret-looking query values already redacted.
    pub display_path: String,
    pub headers: Headers,
    pub body: Option<JsValue>,
    pub signal: Option<web_sys::AbortSignal>,
    pub timeout_ms: Option<f64>,
}

/// A 2xx: the response, and its body as text when the call asked for it (read within the
/// same attempt's deadline).
pub(crate) struct Success {
    pub response: Response,
    pub status: u16,
    pub text: Option<String>,
}

impl Pipeline {
    /// Runs `call` to a 2xx response or a typed failure; with `read_body`, the body is read
    /// under the attempt's deadline, the caller's signal and `maxResponseBytes`.
    pub(crate) async fn run(&self, call: Call, read_body: bool) -> Result<Success, Failure> {
        let mut watch = AbortWatch::new(call.signal.clone());
        let mut attempt_index: u32 = 0;
        loop {
            let (outcome, mut deadline) = self.attempt(&call, &mut watch).await?;
            let mut cause = None;
            let (attempt, response) = match outcome {
                AttemptOutcome::Ok(res, head) if !read_body => {
                    return Ok(Success {
                        response: res,
                        status: head.status,
                        text: None,
                    })
                }
                AttemptOutcome::Ok(res, head) => {
                    let cap = self.max_response_bytes;
                    match body::read(&res, cap, AtCap::Fail, &mut watch, &mut deadline).await {
                        Ok(read) => {
                            return Ok(Success {
                                response: res,
                                status: head.status,
                                text: Some(read.text()),
                            })
                        }
                        Err(BodyError::TimedOut) => (Attempt::Timeout, None),
                        Err(BodyError::Aborted) => return Err(aborted(&call, &watch)),
                        Err(BodyError::TooLarge) => return Err(self.too_large(&call, head.status)),
                        Err(BodyError::Failed(e)) => {
                            return Err(bad_response(
                                &call,
                                head.status,
                                "the response body could not be read to the end",
                            )
                            .caused_by(e))
                        }
                    }
                }
                AttemptOutcome::Status(res, head) => {
                    let attempt = Attempt::Response {
                        status: head.status,
                        retry_after: head.header("retry-after"),
                        retry_after_ms: head.header("retry-after-ms"),
                    };
                    (attempt, Some((res, head)))
                }
                AttemptOutcome::Network(c) => {
                    cause = c;
                    (Attempt::NetworkError, None)
                }
                AttemptOutcome::TimedOut => (Attempt::Timeout, None),
            };
            let decision = self.retry.decide(
                &call.method,
                attempt_index,
                &attempt,
                // Wall-clock time: an HTTP-date Retry-After is compared against it.
                js_sys::Date::now(),
                js_sys::Math::random(),
            );
            match decision {
                Decision::RetryAfter {
                    delay_ms,
                    pause_limiter,
                } => {
                    if let Some((res, _)) = &response {
                        // Let the connection go back to the pool.
                        fallible::cancel_body(res);
                    }
                    match (&self.scheduler, pause_limiter) {
                        // The whole bucket waits; the next acquire waits with it.
                        (Some(s), true) => s.borrow_mut().pause_until(now_ms() + delay_ms),
                        _ => self.sleep(delay_ms, &mut watch, &call).await?,
                    }
                    attempt_index = attempt_index.saturating_add(1);
                }
                Decision::Done | Decision::GiveUp { .. } => {
                    let retry_after = match decision {
                        Decision::GiveUp { retry_after_ms } => retry_after_ms,
                        _ => None,
                    };
                    let mut failure = self
                        .fail(
                            &call,
                            attempt,
                            response,
                            retry_after,
                            &mut watch,
                            &mut deadline,
                        )
                        .await;
                    failure.cause = cause.or(failure.cause);
                    return Err(failure);
                }
            }
        }
    }

    async fn sleep(&self, ms: f64, watch: &mut AbortWatch, call: &Call) -> Result<(), Failure> {
        match race(Deadline::after(ms), watch, &mut Deadline::never()).await {
            Raced::Aborted => Err(aborted(call, watch)),
            _ => Ok(()),
        }
    }

    /// One attempt, following same-origin redirects; each hop spends a token, since the
    /// server counts each. The deadline comes back with the response, so that reading its
    /// body stays within it.
    async fn attempt(
        &self,
        call: &Call,
        watch: &mut AbortWatch,
    ) -> Result<(AttemptOutcome, Deadline), Failure> {
        let mut url = call.url.clone();
        let mut method = call.method.clone();
        let mut body = call.body.clone();
        for _hop in 0..=MAX_REDIRECTS {
            let permit = self.acquire(call, watch).await?;
            let controller = AbortController::new().map_err(|e| {
                Failure::new(Error::new(
                    ErrorKind::Network,
                    "AbortController is unavailable",
                ))
                .caused_by(e)
            })?;
            let signal = controller.signal();
            // Raced here, not left to the signal: a custom `fetch` may ignore it.
            let mut deadline = Deadline::after(call.timeout_ms.unwrap_or(self.timeout_ms));
            let out = Outgoing {
                url: &url,
                method: &method,
                headers: &call.headers,
                body: body.as_ref(),
                signal: &signal,
            };
            let sent = race(self.fetch.send(&out), watch, &mut deadline).await;
            permit.settle();
            let result = match sent {
                Raced::Aborted => {
                    controller.abort();
                    return Err(aborted(call, watch));
                }
                Raced::TimedOut => {
                    controller.abort();
                    return Ok((AttemptOutcome::TimedOut, deadline));
                }
                Raced::Done(r) => r,
            };
            let res = match result {
                Ok(res) => res,
                Err(SendError::Aborted(c)) | Err(SendError::Network(c)) => {
                    return Ok((AttemptOutcome::Network(Some(c)), deadline))
                }
                Err(SendError::NotAResponse) => {
                    return Err(bad_response(
                        call,
                        0,
                        "`fetch` resolved with something that is not a Response",
                    ))
                }
            };
            let head = match Head::read(&res) {
                Ok(head) => head,
                Err(e) => {
                    fallible::cancel_body(&res);
                    return Err(bad_response(
                        call,
                        0,
                        "the response's status, type, URL or headers could not be read",
                    )
                    .caused_by(e));
                }
            };
            if let Err(why) = self.check_came_from_us(&head) {
                controller.abort();
                fallible::cancel_body(&res);
                return Err(Failure::new(
                    Error::new(
                        ErrorKind::Network,
                        format!("{} {}: {why}", call.method, call.display_path),
                    )
                    .with_request(&call.method, &call.display_path),
                ));
            }
            let status = head.status;
            if !(300..400).contains(&status) || status == 304 {
                let outcome = if head.ok() {
                    AttemptOutcome::Ok(res, head)
                } else {
                    AttemptOutcome::Status(res, head)
                };
                return Ok((outcome, deadline));
            }
            let next = head
                .header("location")
                .and_then(|l| web_sys::Url::new_with_base(&l, &url).ok());
            let Some(next) = next else {
                return Ok((AttemptOutcome::Status(res, head), deadline));
            };
            fallible::cancel_body(&res);
            if next.origin() != self.origin {
                return Err(Failure::new(
                    Error::new(
                        ErrorKind::Network,
                        format!(
                            "{} {}: redirected to another origin ({}); not followed, so the API key was not sent there",
                            call.method, call.display_path, next.origin()
                        ),
                    )
                    .with_request(&call.method, &call.display_path)
                    .with_status(status),
                ));
            }
            // 303 always, and 301/302 for POST, become GET without a body, as browsers do.
            if status == 303 || ((status == 301 || status == 302) && method == "POST") {
                method = "GET".to_owned();
                body = None;
            }
            url = next.href();
        }
        Err(Failure::new(
            Error::new(
                ErrorKind::Network,
                format!(
                    "{} {}: more than {MAX_REDIRECTS} redirects",
                    call.method, call.display_path
                ),
            )
            .with_request(&call.method, &call.display_path),
        ))
    }

    /// Whether a response is one the client may read (see
    /// [`urls::check_response_source`]).
    fn check_came_from_us(&self, head: &Head) -> Result<(), String> {
        let origin = if head.url.is_empty() {
            None
        } else {
            Some(web_sys::Url::new(&head.url).map(|u| u.origin()).ok())
        };
        let url = match &origin {
            None => urls::ResponseUrl::Missing,
            Some(None) => urls::ResponseUrl::Unparsable,
            Some(Some(o)) => urls::ResponseUrl::Origin(o),
        };
        urls::check_response_source(&head.kind, url, head.redirected, &self.origin)
    }

    fn too_large(&self, call: &Call, status: u16) -> Failure {
        let cap = self.max_response_bytes.unwrap_or(usize::MAX);
        Failure::new(
            Error::new(
                ErrorKind::TooLarge,
                format!(
                    "{} {}: the response body is larger than maxResponseBytes ({cap} bytes); the rest was not read",
                    call.method, call.display_path
                ),
            )
            .with_request(&call.method, &call.display_path)
            .with_status(status),
        )
    }

    async fn acquire(&self, call: &Call, watch: &mut AbortWatch) -> Result<Permit, Failure> {
        let Some(s) = &self.scheduler else {
            return if watch.aborted() {
                Err(aborted(call, watch))
            } else {
                Ok(Permit::none())
            };
        };
        let on_wait = |notice: WaitNotice| {
            if let Some(cb) = &self.on_rate_limit_wait {
                let _ = cb.call1(&JsValue::UNDEFINED, &wait_event(call, &notice));
            }
        };
        scheduler::acquire(s, watch, on_wait).await.map_err(|e| match e {
            WaitError::Aborted => aborted(call, watch),
            WaitError::QueueFull => Failure::new(
                Error::new(
                    ErrorKind::QueueFull,
                    format!(
                        "{} {}: the rate-limit queue is full; nothing was sent. Slow down, or raise rateLimit.maxQueue",
                        call.method, call.display_path
                    ),
                )
                .with_request(&call.method, &call.display_path)
                .with_retryable(true),
            ),
        })
    }

    /// The typed failure for an attempt that will not be retried. An error body is read
    /// for `details` within the same deadline; if the deadline passes first the status's
    /// error comes without them, and an abort meanwhile rejects with the abort.
    async fn fail(
        &self,
        call: &Call,
        attempt: Attempt,
        response: Option<(Response, Head)>,
        retry_after_ms: Option<f64>,
        watch: &mut AbortWatch,
        deadline: &mut Deadline,
    ) -> Failure {
        let m = &call.method;
        let p = &call.display_path;
        match (attempt, response) {
            (Attempt::Response { status, .. }, Some((res, head))) => {
                let request_id = head
                    .header("x-request-id")
                    .map(|r| redact::mask(&r, &self.api_key, redact::MIN_MASKED_RUN));
                let mut error = classify::error_for_status(status, m, p, request_id.as_deref())
                    .unwrap_or_else(|| {
                        Error::new(ErrorKind::Http, format!("{m} {p}: HTTP {status}"))
                    });
                error.retry_after_ms = retry_after_ms.or(error.retry_after_ms);
                // The 403 body is empty by contract and never read.
                let details = if status == 403 {
                    fallible::cancel_body(&res);
                    None
                } else {
                    let cap = Some(redact::MAX_DETAILS_BYTES);
                    match body::read(&res, cap, AtCap::Truncate, watch, deadline).await {
                        Ok(read) => {
                            js_error::details_from_text(&read.text(), read.truncated, &self.api_key)
                        }
                        Err(BodyError::Aborted) => return aborted(call, watch),
                        Err(_) => None,
                    }
                };
                Failure {
                    error,
                    cause: None,
                    details,
                }
            }
            (Attempt::Timeout, _) => Failure::new(
                Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "{m} {p}: no complete response within {} ms",
                        call.timeout_ms.unwrap_or(self.timeout_ms) as u64
                    ),
                )
                .with_request(m, p)
                .with_retryable(true),
            ),
            (_, _) => Failure::new(
                Error::new(
                    ErrorKind::Network,
                    format!("{m} {p}: the request could not be sent (network error)"),
                )
                .with_request(m, p)
                .with_retryable(true),
            ),
        }
    }
}

enum AttemptOutcome {
    Ok(Response, Head),
    Status(Response, Head),
    Network(Option<JsValue>),
    TimedOut,
}

/// A response the client cannot use; `status` 0 when none was read.
fn bad_response(call: &Call, status: u16, why: &str) -> Failure {
    let mut error = Error::new(
        ErrorKind::BadResponse,
        format!("{} {}: {why}", call.method, call.display_path),
    )
    .with_request(&call.method, &call.display_path);
    if status != 0 {
        error = error.with_status(status);
    }
    Failure::new(error)
}

fn aborted(call: &Call, watch: &AbortWatch) -> Failure {
    let f = Failure::new(
        Error::new(
            ErrorKind::Aborted,
            format!(
                "{} {}: aborted by the caller's signal",
                call.method, call.display_path
            ),
        )
        .with_request(&call.method, &call.display_path),
    );
    match watch.reason() {
        Some(r) => f.caused_by(r),
        None => f,
    }
}

fn wait_event(call: &Call, notice: &WaitNotice) -> JsValue {
    let o = js_sys::Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), &v);
    };
    set("method", JsValue::from_str(&call.method));
    set("path", JsValue::from_str(&call.display_path));
    set("queued", JsValue::from_f64(notice.state.queued as f64));
    // When every token is held by a request still in flight, no return instant is known
    // yet; one window is the least it can take (a token returns a window after its
    // response), so that is the honest lower bound to show.
    let wait = notice
        .state
        .next_token_in_ms
        .unwrap_or(notice.state.window_ms);
    set("waitMs", JsValue::from_f64(wait));
    set("state", crate::client::state_to_js(&notice.state, None));
    o.into()
}
