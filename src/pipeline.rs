//! One call, end to end: limiter token, attempt with timeout, same-origin redirects,
//! classification, retry decision, backoff, and the typed error when it all fails.
//!
//! Every decision is delegated to the pure modules ([`crate::retry`], [`crate::classify`],
//! [`crate::url`], [`crate::limiter`]); this file only sequences them around JS calls.

use crate::abort::{race, AbortWatch, Raced};
use crate::classify;
use crate::errors::{Error, ErrorKind};
use crate::retry::{Attempt, Decision, RetryPolicy};
use crate::scheduler::{self, now_ms, Permit, SharedScheduler, WaitError, WaitNotice};
use crate::transport::{FetchFn, Outgoing, SendError};
use gloo_timers::future::TimeoutFuture;
use js_sys::Function;
use std::cell::Cell;
use std::rc::Rc;
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

impl Pipeline {
    /// Runs `call` to a 2xx response or a typed failure.
    pub(crate) async fn run(&self, call: Call) -> Result<Response, Failure> {
        let mut watch = AbortWatch::new(call.signal.clone());
        let mut attempt_index: u32 = 0;
        loop {
            let outcome = self.attempt(&call, &mut watch).await?;
            let mut cause = None;
            let (attempt, response) = match outcome {
                AttemptOutcome::Ok(res) => return Ok(res),
                AttemptOutcome::Status(res) => {
                    let headers = res.headers();
                    let retry_after = headers.get("retry-after").ok().flatten();
                    let retry_after_ms = headers.get("retry-after-ms").ok().flatten();
                    let attempt = Attempt::Response {
                        status: res.status(),
                        retry_after: retry_after.clone(),
                        retry_after_ms: retry_after_ms.clone(),
                    };
                    (attempt, Some(res))
                }
                AttemptOutcome::Network(c) => {
                    cause = Some(c);
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
                    if let Some(res) = &response {
                        // Let the connection go back to the pool.
                        let _ = res.body().map(|b| b.cancel());
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
                    let mut failure = self.fail(&call, attempt, response, retry_after).await;
                    failure.cause = cause.or(failure.cause);
                    return Err(failure);
                }
            }
        }
    }

    async fn sleep(&self, ms: f64, watch: &mut AbortWatch, call: &Call) -> Result<(), Failure> {
        let ms = ms.clamp(0.0, f64::from(u32::MAX)) as u32;
        match race(TimeoutFuture::new(ms), watch).await {
            Raced::Done(()) => Ok(()),
            Raced::Aborted => Err(aborted(call, watch)),
        }
    }

    /// One attempt, following same-origin redirects; each hop spends a token, since the
    /// server counts each.
    async fn attempt(
        &self,
        call: &Call,
        watch: &mut AbortWatch,
    ) -> Result<AttemptOutcome, Failure> {
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
            let timed_out = Rc::new(Cell::new(false));
            let timeout_ms = call.timeout_ms.unwrap_or(self.timeout_ms);
            let _timer = {
                let controller = controller.clone();
                let timed_out = Rc::clone(&timed_out);
                let ms = timeout_ms.clamp(0.0, f64::from(u32::MAX)) as u32;
                gloo_timers::callback::Timeout::new(ms, move || {
                    timed_out.set(true);
                    controller.abort();
                })
            };
            let out = Outgoing {
                url: &url,
                method: &method,
                headers: &call.headers,
                body: body.as_ref(),
                signal: &signal,
            };
            let sent = race(self.fetch.send(&out), watch).await;
            let result = match sent {
                Raced::Aborted => {
                    controller.abort();
                    permit.settle();
                    return Err(aborted(call, watch));
                }
                Raced::Done(r) => r,
            };
            permit.settle();
            let res = match result {
                Ok(res) => res,
                Err(SendError::Aborted(_)) if timed_out.get() => {
                    return Ok(AttemptOutcome::TimedOut)
                }
                Err(SendError::Aborted(c)) | Err(SendError::Network(c)) => {
                    return Ok(AttemptOutcome::Network(c))
                }
            };
            let status = res.status();
            if res.type_() == web_sys::ResponseType::Opaqueredirect {
                return Err(Failure::new(
                    Error::new(
                        ErrorKind::Network,
                        format!("{} {}: the server answered with a redirect this runtime does not let the client inspect; it was not followed, so the API key went nowhere else", call.method, call.display_path),
                    )
                    .with_request(&call.method, &call.display_path),
                ));
            }
            if !(300..400).contains(&status) || status == 304 {
                return Ok(if res.ok() {
                    AttemptOutcome::Ok(res)
                } else {
                    AttemptOutcome::Status(res)
                });
            }
            let location = res.headers().get("location").ok().flatten();
            let next = location
                .as_deref()
                .and_then(|l| web_sys::Url::new_with_base(l, &url).ok());
            let Some(next) = next else {
                return Ok(AttemptOutcome::Status(res));
            };
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

    /// The typed failure for an attempt that will not be retried.
    async fn fail(
        &self,
        call: &Call,
        attempt: Attempt,
        response: Option<Response>,
        retry_after_ms: Option<f64>,
    ) -> Failure {
        let m = &call.method;
        let p = &call.display_path;
        match (attempt, response) {
            (Attempt::Response { status, .. }, Some(res)) => {
                let request_id = res.headers().get("x-request-id").ok().flatten();
                let mut error = classify::error_for_status(status, m, p, request_id.as_deref())
                    .unwrap_or_else(|| {
                        Error::new(ErrorKind::Http, format!("{m} {p}: HTTP {status}"))
                    });
                error.retry_after_ms = retry_after_ms.or(error.retry_after_ms);
                // The 403 body is empty by contract and never read.
                let details = if status == 403 {
                    None
                } else {
                    read_details(&res).await
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
                        "{m} {p}: no response within {} ms",
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
    Ok(Response),
    Status(Response),
    Network(JsValue),
    TimedOut,
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

/// The error body as JSON when it is JSON; never fails.
async fn read_details(res: &Response) -> Option<JsValue> {
    let text = wasm_bindgen_futures::JsFuture::from(res.text().ok()?)
        .await
        .ok()?;
    js_sys::JSON::parse(&text.as_string()?).ok()
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
