//! One call, end to end, as one future: limiter token, attempt, same-origin redirects,
//! classification, retry decision, backoff, and the typed error when it all fails. A call
//! whose token is free starts its first attempt without the future ([`Pipeline::send_now`])
//! and is decided by the same [`Pipeline::next`]; the future takes over only if it goes on.
//!
//! Every decision is a synchronous call into the pure modules ([`crate::retry`],
//! [`crate::classify`], [`crate::url`], [`crate::limiter`] through the scheduler); the
//! only awaits are a queued token, the attempt (one crossing into `src/js/transport.js`,
//! which for `request()` and typed calls also reads and parses the 2xx body), a body the
//! attempt left unread (an error body read for `details`), and a backoff.

use crate::abort::{self, AbortWatch};
use crate::classify;
use crate::errors::{Error, ErrorKind};
use crate::fallible;
use crate::js_error;
use crate::limiter::LimiterState;
use crate::options::timer_ms;
use crate::redact;
use crate::retry::{Attempt, Decision, RetryPolicy};
use crate::scheduler::{self, now_ms, Permit, SharedScheduler, WaitError, WaitNotice};
use crate::transport::{self, Code, Live, Outgoing};
use crate::url as urls;
use js_sys::{Function, Object, Reflect};
use std::future::Future;
use wasm_bindgen::JsValue;
use web_sys::AbortSignal;

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

    /// The JS error to reject with.
    pub(crate) fn into_js(self) -> JsValue {
        js_error::to_js_with(
            &self.error,
            js_error::JsExtras {
                cause: self.cause,
                details: self.details,
            },
        )
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
    /// The `fetch` option, or `undefined` for the global `fetch`.
    pub fetch: JsValue,
    pub scheduler: Option<SharedScheduler>,
    pub retry: RetryPolicy,
    pub timeout_ms: f64,
    /// The largest body read (`Infinity`: no cap).
    pub max_response_bytes: f64,
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
    /// A per-client header record, or the call's own `Headers` with the key.
    pub headers: JsValue,
    /// The body, or `undefined`.
    pub body: JsValue,
    pub signal: Option<AbortSignal>,
    pub timeout_ms: Option<f64>,
}

/// What an attempt's outcome means for the call.
enum Next {
    /// Resolve with this (the `Response`, or the parsed JSON).
    Done(JsValue),
    Fail(Failure),
    /// A 2xx whose JSON body the attempt left unread.
    ReadBody,
    /// A same-origin redirect to follow (the URL, and whether it becomes a GET).
    Follow(String, bool),
    /// Ask the retry policy.
    Ended(Attempt, Option<JsValue>),
}

impl Pipeline {
    /// Runs `call` to a 2xx or a typed failure: resolves with the `Response` (body unread),
    /// or with `json`, with the body parsed (`undefined` when empty), read under the
    /// attempt's deadline, the caller's signal and `maxResponseBytes`.
    // `call` by reference: an `async fn` keeps a second copy of what it takes by value.
    // The attempts are part of this future, so a queued call has room for their largest
    // state: boxed once the token is there, a queued call held about 340 B less, but the
    // second allocation per call cost dispatching 100,000 at once more CPU in the allocator
    // than the calls' own work.
    ///
    /// With `sent`, the call's first attempt was already made in its own crossing and
    /// [`Pipeline::decide_now`] did not end the call: the rest goes on from it (one future
    /// type for both, so the attempts are compiled once).
    pub(crate) async fn run(
        &self,
        call: &Call,
        json: bool,
        sent: Option<Live>,
    ) -> Result<JsValue, Failure> {
        let mut watch = self.watch(call);
        let first = match sent {
            Some(_) => None,
            None => Some(self.acquire(call, &mut watch).await?),
        };
        self.attempts(call, json, watch, first, sent).await
    }

    /// A token for `call` now, when it need not wait for one (no limiter, or a free token
    /// and nobody queued): its first attempt can then start in the caller's crossing
    /// ([`Pipeline::send_now`]). `None`: the call goes through [`Pipeline::run`], which also
    /// refuses a caller already aborted without spending a token.
    pub(crate) fn token_now(&self, call: &Call) -> Option<Permit> {
        let Some(s) = &self.scheduler else {
            // Without a limiter the attempt itself looks at the signal before sending.
            return Some(Permit::none());
        };
        if call.signal.as_ref().is_some_and(abort::aborted) {
            return None;
        }
        scheduler::take_now(s)
    }

    /// Starts `call`'s first attempt (its token taken by [`Pipeline::token_now`]) and
    /// returns the call's promise, and the handle its continuation is given to (which hands
    /// the attempt to [`Pipeline::decide_now`]).
    pub(crate) fn send_now(&self, call: &Call, json: bool) -> (js_sys::Promise, transport::Then) {
        let undefined = JsValue::UNDEFINED;
        transport::send_now(&Outgoing {
            fetch: &self.fetch,
            url: &call.url,
            method: &call.method,
            headers: &call.headers,
            body: &call.body,
            signal: call.signal.as_ref().map_or(&undefined, AsRef::as_ref),
            timeout_ms: call.timeout_ms.unwrap_or(self.timeout_ms),
            read_cap: json.then_some(self.max_response_bytes),
        })
    }

    /// The decision on a first attempt started by [`Pipeline::send_now`], synchronously:
    /// `Ok` when the call ends here (its value, or its typed failure); `Err` with the attempt
    /// when the call goes on (a body to read, a redirect, a retry, an error body for
    /// `details`), which [`Pipeline::run`] takes up.
    pub(crate) fn decide_now(
        &self,
        call: &Call,
        json: bool,
        permit: Permit,
        mut live: Live,
    ) -> Result<Result<JsValue, Failure>, Live> {
        permit.settle();
        match self.next(call, &live, &call.url, json, false) {
            Next::Done(v) => {
                // `fetch()` hands the response over: its body is the caller's now.
                live.keep_body = !json;
                Ok(Ok(v))
            }
            Next::Fail(f) => Ok(Err(f)),
            _ => Err(live),
        }
    }

    /// The caller's signal, for a call that may wait for a token; an attempt races the
    /// signal in JS, so without a limiter nothing listens here.
    fn watch(&self, call: &Call) -> AbortWatch {
        AbortWatch::new(match &self.scheduler {
            Some(_) => call.signal.clone(),
            None => None,
        })
    }

    /// The attempts of a call that holds its first token (`first`), or whose first attempt
    /// was already made (`sent`): the later ones (retries, redirects) wait for theirs in turn.
    // Not an `async fn`, which would keep a second copy of `watch` and `first`.
    #[allow(clippy::manual_async_fn)]
    fn attempts<'a>(
        &'a self,
        call: &'a Call,
        json: bool,
        mut watch: AbortWatch,
        mut first: Option<Permit>,
        mut sent: Option<Live>,
    ) -> impl Future<Output = Result<JsValue, Failure>> + 'a {
        async move {
            let undefined = JsValue::UNDEFINED;
            let signal: &JsValue = call.signal.as_ref().map_or(&undefined, AsRef::as_ref);
            let timeout_ms = call.timeout_ms.unwrap_or(self.timeout_ms);
            let read_cap = json.then_some(self.max_response_bytes);
            let no_body = JsValue::UNDEFINED;
            let mut tries: u32 = 0;
            loop {
                let mut redirected: Option<String> = None;
                let mut as_get = false;
                let mut hops = 0;
                let (attempt, live, cause) = loop {
                    let mut live = match sent.take() {
                        // Its token was settled when it ended.
                        Some(live) => live,
                        None => {
                            let permit = match first.take() {
                                Some(p) => p,
                                None => self.acquire(call, &mut watch).await?,
                            };
                            // The attempt starts here; the wait for it holds no `Outgoing`.
                            let sending = transport::send(&Outgoing {
                                fetch: &self.fetch,
                                url: redirected.as_deref().unwrap_or(&call.url),
                                method: if as_get { "GET" } else { &call.method },
                                headers: &call.headers,
                                body: if as_get { &no_body } else { &call.body },
                                signal,
                                timeout_ms,
                                read_cap,
                            });
                            let live = sending.await;
                            permit.settle();
                            live
                        }
                    };
                    let url = redirected.as_deref().unwrap_or(&call.url);
                    let mut next = self.next(call, &live, url, json, as_get);
                    if let Next::ReadBody = next {
                        // Dropped so that the wait for the body does not hold it.
                        drop(next);
                        live.read_body(self.max_response_bytes, false).await;
                        next = self.next(call, &live, url, json, as_get);
                    }
                    match next {
                        Next::Done(v) => {
                            // `fetch()` hands the response over: its body is the caller's now.
                            live.keep_body = !json;
                            return Ok(v);
                        }
                        Next::Fail(f) => return Err(f),
                        Next::ReadBody => {
                            return Err(self.bad_response(
                                call,
                                live.attempt.status(),
                                "the response body could not be read",
                            ))
                        }
                        Next::Ended(attempt, cause) => break (attempt, Some(live), cause),
                        Next::Follow(to, get) if hops < MAX_REDIRECTS => {
                            hops += 1;
                            as_get = as_get || get;
                            redirected = Some(to);
                        }
                        Next::Follow(..) => {
                            return Err(Failure::new(
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
                    }
                };
                let decision = self.retry.decide(
                    &call.method,
                    tries,
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
                        // Dropping the attempt cancels its body: the connection goes back to the pool.
                        drop(live);
                        match (&self.scheduler, pause_limiter) {
                            // The whole bucket waits; the next acquire waits with it.
                            (Some(s), true) => s.borrow_mut().pause_until(now_ms() + delay_ms),
                            _ => {
                                if transport::sleep(f64::from(timer_ms(delay_ms)), signal).await {
                                    return Err(aborted(call));
                                }
                            }
                        }
                        tries = tries.saturating_add(1);
                    }
                    Decision::Done | Decision::GiveUp { .. } => {
                        let retry_after = match decision {
                            Decision::GiveUp { retry_after_ms } => retry_after_ms,
                            _ => None,
                        };
                        let details = self.details(call, &attempt, live.as_ref()).await?;
                        let mut failure = self.fail(call, attempt, live, retry_after, details);
                        failure.cause = cause.or(failure.cause);
                        return Err(failure);
                    }
                }
            }
        }
    }

    /// What an attempt's outcome means: synchronous, every rule in Rust.
    fn next(&self, call: &Call, live: &Live, url: &str, json: bool, as_get: bool) -> Next {
        let a = &live.attempt;
        let status = a.status();
        let code = live.code();
        match code {
            Code::Aborted => return Next::Fail(aborted(call)),
            Code::Timeout if status == 0 => return Next::Ended(Attempt::Timeout, None),
            Code::Network => return Next::Ended(Attempt::NetworkError, Some(a.cause())),
            Code::NotAResponse => {
                return Next::Fail(self.bad_response(
                    call,
                    0,
                    "`fetch` resolved with something that is not a Response",
                ))
            }
            Code::BadHead => {
                return Next::Fail(
                    self.bad_response(
                        call,
                        0,
                        "the response's status, type, URL or headers could not be read",
                    )
                    .caused_by(a.cause()),
                )
            }
            _ => {}
        }
        if let Err(why) = self.check_came_from_us(live) {
            return Next::Fail(Failure::new(
                Error::new(
                    ErrorKind::Network,
                    format!("{} {}: {why}", call.method, call.display_path),
                )
                .with_request(&call.method, &call.display_path),
            ));
        }
        match code {
            // The body's deadline passed: a timeout like any other, for the retry policy.
            Code::Timeout => return Next::Ended(Attempt::Timeout, None),
            Code::Body => return Next::Done(a.value()),
            Code::TooLarge => return Next::Fail(self.too_large(call, status)),
            Code::BodyFailed => {
                return Next::Fail(
                    self.bad_response(
                        call,
                        status,
                        "the response body could not be read to the end",
                    )
                    .caused_by(a.cause()),
                )
            }
            // No `cause`: the parser's message quotes the body, which may echo the key.
            Code::BadJson => {
                return Next::Fail(self.bad_response(
                    call,
                    status,
                    "the response body is not valid JSON",
                ))
            }
            _ => {}
        }
        if (200..300).contains(&status) {
            if json {
                return Next::ReadBody;
            }
            return Next::Done(a.res());
        }
        let response = Attempt::Response {
            status,
            retry_after: a.retry_after(),
            retry_after_ms: a.retry_after_ms(),
        };
        if !(300..400).contains(&status) || status == 304 {
            return Next::Ended(response, None);
        }
        let Some(next) = a
            .location()
            .and_then(|l| web_sys::Url::new_with_base(&l, url).ok())
        else {
            return Next::Ended(response, None);
        };
        if next.origin() != self.origin {
            return Next::Fail(Failure::new(
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
        let post = !as_get && call.method == "POST";
        let get = status == 303 || ((status == 301 || status == 302) && post);
        Next::Follow(next.href(), get)
    }

    /// Whether a response is one the client may read (see
    /// [`urls::check_response_source`]).
    fn check_came_from_us(&self, live: &Live) -> Result<(), String> {
        let a = &live.attempt;
        // `None`: the URL asked for, on our origin.
        let url = a.url();
        let origin = match url.as_deref() {
            None => Some(Some(self.origin.clone())),
            Some("") => None,
            Some(u) => Some(web_sys::Url::new(u).map(|u| u.origin()).ok()),
        };
        let url = match &origin {
            None => urls::ResponseUrl::Missing,
            Some(None) => urls::ResponseUrl::Unparsable,
            Some(Some(o)) => urls::ResponseUrl::Origin(o),
        };
        urls::check_response_source(&a.kind(), url, a.redirected(), &self.origin)
    }

    fn too_large(&self, call: &Call, status: u16) -> Failure {
        let cap = self.max_response_bytes;
        Failure::new(
            Error::new(
                ErrorKind::TooLarge,
                format!(
                    "{} {}: the response body is larger than maxResponseBytes ({} bytes); the rest was not read",
                    call.method, call.display_path, cap as u64
                ),
            )
            .with_request(&call.method, &call.display_path)
            .with_status(status),
        )
    }

    /// A response the client cannot use; `status` 0 when none was read.
    fn bad_response(&self, call: &Call, status: u16, why: &str) -> Failure {
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

    async fn acquire(&self, call: &Call, watch: &mut AbortWatch) -> Result<Permit, Failure> {
        let Some(s) = &self.scheduler else {
            // Without a limiter the attempt itself looks at the signal before sending.
            return Ok(Permit::none());
        };
        let on_wait = |notice: WaitNotice| {
            if let Some(cb) = &self.on_rate_limit_wait {
                let _ = cb.call1(&JsValue::UNDEFINED, &wait_event(call, &notice));
            }
        };
        scheduler::acquire(s, watch, on_wait)
            .await
            .map_err(|e| match e {
                WaitError::Aborted => aborted(call),
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

    /// An error body read for `details` within the attempt's deadline (none if the
    /// deadline passes first); `Err` when the caller's signal fires meanwhile.
    async fn details(
        &self,
        call: &Call,
        attempt: &Attempt,
        live: Option<&Live>,
    ) -> Result<Option<JsValue>, Failure> {
        match (attempt, live) {
            // The 403 body is empty by contract and never read (dropping cancels it).
            (Attempt::Response { status, .. }, Some(live)) if *status != 403 => {
                live.read_body(redact::MAX_DETAILS_BYTES as f64, true).await;
                match live.code() {
                    Code::Body => Ok(js_error::details_from_text(
                        &live.attempt.text(),
                        live.attempt.truncated(),
                        &self.api_key,
                    )),
                    Code::Aborted => Err(aborted(call)),
                    _ => Ok(None),
                }
            }
            _ => Ok(None),
        }
    }

    /// The typed failure for an attempt that will not be retried, with the `details` read
    /// from its body (synchronous: an awaited call would hold it all while the body comes).
    fn fail(
        &self,
        call: &Call,
        attempt: Attempt,
        live: Option<Live>,
        retry_after_ms: Option<f64>,
        details: Option<JsValue>,
    ) -> Failure {
        let m = &call.method;
        let p = &call.display_path;
        match (attempt, live) {
            (Attempt::Response { status, .. }, Some(live)) => {
                let request_id = live
                    .attempt
                    .request_id()
                    .map(|r| redact::mask(&r, &self.api_key, redact::MIN_MASKED_RUN));
                let mut error = classify::error_for_status(status, m, p, request_id.as_deref())
                    .unwrap_or_else(|| {
                        Error::new(ErrorKind::Http, format!("{m} {p}: HTTP {status}"))
                    });
                error.retry_after_ms = retry_after_ms.or(error.retry_after_ms);
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

fn aborted(call: &Call) -> Failure {
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
    match call
        .signal
        .as_ref()
        .and_then(|s| fallible::get(s, "reason").ok())
    {
        Some(r) => f.caused_by(r),
        None => f,
    }
}

fn wait_event(call: &Call, notice: &WaitNotice) -> JsValue {
    let o = Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = Reflect::set(&o, &JsValue::from_str(k), &v);
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
    set("state", state_to_js(&notice.state, None));
    o.into()
}

/// `LimiterState` as the plain object `rateLimitState()` returns; with a store, `store`
/// says whether it answers (`"connected"`) or the client runs on its share (`"fallback"`).
pub(crate) fn state_to_js(s: &LimiterState, fallback: Option<bool>) -> JsValue {
    let o = Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = Reflect::set(&o, &JsValue::from_str(k), &v);
    };
    set("limit", JsValue::from_f64(f64::from(s.limit)));
    set("windowMs", JsValue::from_f64(s.window_ms));
    set("available", JsValue::from_f64(f64::from(s.available)));
    set("inFlight", JsValue::from_f64(f64::from(s.in_flight)));
    set("queued", JsValue::from_f64(s.queued as f64));
    set(
        "nextTokenInMs",
        s.next_token_in_ms.map_or(JsValue::NULL, JsValue::from_f64),
    );
    if let Some(fallback) = fallback {
        let mode = if fallback { "fallback" } else { "connected" };
        set("store", JsValue::from_str(mode));
    }
    o.into()
}
