//! One call, end to end, as an explicit state machine ([`Task`]): limiter token, attempt,
//! same-origin redirects, classification, retry decision, backoff, and the typed error when
//! it all fails. No Rust future: the call's state is boxed once, and each wait (a queued
//! token, an attempt, a body read, a backoff) parks it in a numbered slot
//! ([`crate::transport::Resume`]) until the snippet's `done(id, value)` runs its next step
//! synchronously.
//!
//! Every decision is a synchronous call into the pure modules ([`crate::retry`],
//! [`crate::classify`], [`crate::url`], [`crate::limiter`] through the scheduler) from
//! [`Pipeline::next`], one copy whichever way the call got there; the waits are a queued
//! token, the attempt (one crossing into `src/js/transport.js`, which for `request()` and
//! typed calls also reads and parses the 2xx body), a body the attempt left unread (an
//! error body read for `details`), and a backoff.

use crate::abort;
use crate::classify;
use crate::errors::{Error, ErrorKind};
use crate::fallible;
use crate::finish::Finish;
use crate::js_error;
use crate::limiter::{LimiterState, WaiterId};
use crate::options::timer_ms;
use crate::redact;
use crate::retry::{Attempt, Decision, RetryPolicy};
use crate::scheduler::{self, now_ms, Admission, Look, Permit, SharedScheduler};
use crate::text::{cat, Cat};
use crate::transport::{self, Code, Live, Outgoing, Resume};
use crate::url as urls;
use alloc::{borrow::ToOwned, boxed::Box, rc::Rc, string::String};
use js_sys::{Function, Object, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;

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
    /// The origin and the base path ([`urls::base_prefix`]): a checked relative path's URL
    /// is this and the path, end to end; and the same as a JS string, which each attempt
    /// puts before the caller's path itself.
    pub prefix: String,
    pub prefix_js: JsValue,
    /// The key header and `Accept` as a frozen record, made once (see `src/js/config.js`),
    /// for every call without headers of its own.
    pub headers: JsValue,
    /// The same with `Content-Type: application/json`.
    pub json_headers: JsValue,
    /// The `fetch` option, or `undefined` for the global `fetch`.
    pub fetch: JsValue,
    pub scheduler: Option<SharedScheduler>,
    pub retry: RetryPolicy,
    /// A call's deadline per attempt, unless it gives its own.
    pub timeout_ms: f64,
    /// The largest body read (`Infinity`: no cap).
    pub max_response_bytes: f64,
    /// The key, only to mask it out of what servers send back.
    pub api_key: String,
    pub on_rate_limit_wait: Option<Function>,
}

/// One call as the caller described it, the URL already built and checked.
pub(crate) struct Call {
    /// The method, a JS string JS checked: handed to each attempt as it is, and read into
    /// Rust only when a decision or an error needs its text (a retry, a redirect, a
    /// failure), so the usual call copies it neither into wasm nor back out.
    pub method: JsValue,
    /// The caller's path and query, a JS string Rust checked, sent after the pipeline's
    /// `prefix` as it is; or, for an absolute URL on the origin, that URL's href less the
    /// origin. Kept as JS: the usual call never copies its URL out of wasm, and no URL
    /// waits in wasm.
    pub path: JsValue,
    /// Whether `path` goes after the origin (an absolute URL the caller gave, less its
    /// origin) rather than after the prefix (origin and base path).
    pub absolute: bool,
    /// The call's own `Headers` with the key, or `undefined` for the pipeline's record
    /// (`json` says which): a call with the client's headers holds no handle of its own.
    pub headers: JsValue,
    /// Whether the body is JSON: the client's headers with the JSON content type.
    pub json: bool,
    /// The body, or `undefined`.
    pub body: JsValue,
    /// The caller's `AbortSignal`, or `undefined` (a bare handle: an `Option` of one
    /// takes twice the room).
    pub signal: JsValue,
    /// Each attempt's deadline: the call's `timeoutMs`, or the client's. Whole ms, rounded
    /// up (a JS timer counts whole ms; never earlier than asked), so the task stays
    /// 4-byte aligned on wasm32.
    pub timeout_ms: u32,
}

impl Call {
    /// The method's text.
    pub(crate) fn method_text(&self) -> String {
        self.method.as_string().unwrap_or_default()
    }

    /// The URL the call was made for, as text (a redirect resolves against it).
    fn url(&self, p: &Pipeline) -> String {
        let path = self.path.as_string().unwrap_or_default();
        let before = if self.absolute { &p.origin } else { &p.prefix };
        [before.as_str(), &path].cat()
    }

    /// The path for errors, secret-looking query values redacted.
    pub(crate) fn display_path(&self) -> String {
        urls::redact_path(&self.path.as_string().unwrap_or_default())
    }

    /// An error about this call, `"{method} {path}: {why}"`, naming its method and path.
    fn error(&self, kind: ErrorKind, why: &str) -> Error {
        let (m, p) = (self.method_text(), self.display_path());
        Error::new(kind, [&*m, " ", &p, ": ", why].cat()).with_request(&m, &p)
    }
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

/// One call in progress: everything its next step needs, boxed once for the whole call
/// and parked on each wait in turn (this is what a queued call holds in wasm, so no more:
/// nothing is kept twice, and no error, body read or `fetch` init is held across a wait).
pub(crate) struct Task {
    pipeline: Rc<Pipeline>,
    call: Call,
    finish: Finish,
    /// Retries made so far.
    tries: u32,
    /// Same-origin redirects followed in this try, the URL the last one led to, and
    /// whether the method became GET.
    hops: u8,
    /// Boxed: a redirect is rare, and every queued call would carry the room for its URL
    /// (a `String`'s three words, against one for the box).
    #[allow(clippy::box_collection)]
    redirected: Option<Box<String>>,
    as_get: bool,
    step: Step,
}

// What a queued call holds in wasm is this box, so its size on wasm32 is held here as the
// build's own check (the native test below counts words, and a `u64` or `f64` field would
// pad the task to 8-byte alignment on wasm32 unnoticed): 80 bytes before the step kept the
// waiter id in halves, the call its timeout in whole ms and no handle on the client's headers.
#[cfg(all(target_arch = "wasm32", not(feature = "stores")))]
const _: () = assert!(core::mem::size_of::<Task>() <= 64);
// A store's grant carries its token's name.
#[cfg(all(target_arch = "wasm32", feature = "stores"))]
const _: () = assert!(core::mem::size_of::<Task>() <= 80);

/// What a parked call waits for.
enum Step {
    /// Nothing (running, or done).
    Idle,
    /// Its token, as this waiter.
    Queued(Halves),
    /// An attempt sent on this token.
    Sent(Permit),
    /// The 2xx body the attempt left unread.
    Body(Live),
    /// A backoff sleep before the next try.
    Backoff,
    /// An error body, read for the failure's `details` (boxed: every call carries the
    /// largest step, and this one is rare).
    Details(Box<Ending>),
}

/// A waiter's id as its high and low halves: a `u64` in the step would make every task
/// 8-byte aligned on wasm32, padding it.
#[derive(Clone, Copy)]
struct Halves([u32; 2]);

impl From<WaiterId> for Halves {
    fn from(id: WaiterId) -> Halves {
        Halves([(id.0 >> 32) as u32, id.0 as u32])
    }
}

impl From<Halves> for WaiterId {
    fn from(Halves([high, low]): Halves) -> WaiterId {
        WaiterId((u64::from(high) << 32) | u64::from(low))
    }
}

/// An attempt that will not be retried, kept while its error body is read.
struct Ending {
    attempt: Attempt,
    live: Live,
    retry_after_ms: Option<f64>,
    cause: Option<JsValue>,
}

/// What a step returns to `done`: the call's value, the promise of its next wait, or its
/// typed error (thrown, so the call's promise rejects with it).
type Stepped = Result<JsValue, JsValue>;

impl Task {
    pub(crate) fn new(pipeline: Rc<Pipeline>, call: Call, finish: Finish) -> Box<Task> {
        Box::new(Task {
            pipeline,
            call,
            finish,
            tries: 0,
            hops: 0,
            redirected: None,
            as_get: false,
            step: Step::Idle,
        })
    }

    /// Starts the call: its first attempt in this crossing when the token is free (no
    /// limiter, or a free token and nobody queued), else its wait for one. Returns the
    /// call's promise, or its typed error at once (aborted already, the queue full).
    pub(crate) fn start(self: Box<Self>) -> Stepped {
        self.acquire()
    }

    /// Resolves or rejects the call.
    // Taken boxed like every step: the call's one allocation ends here.
    #[allow(clippy::boxed_local)]
    fn end(self: Box<Self>, out: Result<JsValue, Failure>) -> Stepped {
        match out {
            Ok(v) => self.finish.value(v, &self.pipeline.api_key, || {
                (self.call.method_text(), self.call.display_path())
            }),
            Err(failure) => Err(failure.into_js()),
        }
    }

    fn signal(&self) -> JsValue {
        self.call.signal.clone()
    }

    /// Whether the caller's signal has fired already.
    fn aborted(&self) -> bool {
        !self.call.signal.is_undefined() && abort::aborted(self.call.signal.unchecked_ref())
    }

    /// A token for the next attempt: at once, or parked as a waiter.
    fn acquire(mut self: Box<Self>) -> Stepped {
        let Some(s) = self.pipeline.scheduler.clone() else {
            // Without a limiter the attempt itself looks at the signal before sending.
            return self.send(Permit::none());
        };
        if self.aborted() {
            let f = aborted(&self.call);
            return self.end(Err(f));
        }
        if let Some(permit) = scheduler::take_now(&s) {
            return self.send(permit);
        }
        // The wait and its listener on the signal first: adding the listener may run a
        // signal subclass's code, which must find this call's admission not yet made.
        let id = transport::reserve();
        let promise = transport::queued(id, &self.signal());
        match scheduler::admit(&s) {
            Admission::Now(permit) => {
                transport::unqueue(id);
                self.send(permit)
            }
            Admission::Full => {
                transport::unqueue(id);
                let f = queue_full(&self.call);
                self.end(Err(f))
            }
            Admission::Queued(waiter) => {
                let scoped = scheduler::timers_are_request_scoped();
                let state = scheduler::join(&s, waiter, (!scoped).then_some(id));
                if let (Some(state), Some(cb)) = (state, &self.pipeline.on_rate_limit_wait) {
                    let _ = cb.call1(&JsValue::UNDEFINED, &wait_event(&self.call, &state));
                }
                if scoped {
                    transport::arm(id, scheduler::own_timer_ms(&s));
                }
                self.step = Step::Queued(Halves::from(waiter));
                transport::park(id, self);
                Ok(promise.into())
            }
        }
    }

    /// Woken while queued: by its grant, by its signal (`fired`), or by its own timer.
    fn woken(mut self: Box<Self>, waiter: WaiterId, fired: bool) -> Stepped {
        let Some(s) = self.pipeline.scheduler.clone() else {
            return Ok(JsValue::UNDEFINED);
        };
        // The signal first: an aborted waiter does not pick up a grant (leaving hands back
        // one it had not picked up).
        if fired || self.aborted() {
            scheduler::leave(&s, waiter);
            let f = aborted(&self.call);
            return self.end(Err(f));
        }
        let scoped = scheduler::timers_are_request_scoped();
        match scheduler::look(&s, waiter, scoped) {
            Look::Granted(grant) => self.send(Permit::held(&s, grant)),
            Look::Gone => {
                let f = aborted(&self.call);
                self.end(Err(f))
            }
            Look::Waiting => {
                let id = transport::reserve();
                let promise = transport::queued(id, &self.signal());
                scheduler::wait_again(&s, waiter, (!scoped).then_some(id));
                if scoped {
                    transport::arm(id, scheduler::own_timer_ms(&s));
                }
                self.step = Step::Queued(Halves::from(waiter));
                transport::park(id, self);
                Ok(promise.into())
            }
        }
    }

    /// Sends an attempt on `permit`.
    fn send(mut self: Box<Self>, permit: Permit) -> Stepped {
        let id = transport::reserve();
        let p = &*self.pipeline;
        let call = &self.call;
        let signal = self.signal();
        let no_body = JsValue::UNDEFINED;
        // The URL: the prefix and the caller's path, joined in JS; a redirect's whole URL
        // goes after an empty prefix, the path of an absolute URL the caller gave after the
        // origin (both rare).
        let (other, redirected);
        let (prefix, path) = match self.redirected.as_deref() {
            Some(url) => {
                other = JsValue::from_str("");
                redirected = JsValue::from_str(url);
                (&other, &redirected)
            }
            None if call.absolute => {
                other = JsValue::from_str(&p.origin);
                (&other, &call.path)
            }
            None => (&p.prefix_js, &call.path),
        };
        // A redirect that became a GET (rare) makes its method; every other attempt hands
        // over the caller's own string.
        let get;
        let method = if self.as_get {
            get = JsValue::from_str("GET");
            &get
        } else {
            &call.method
        };
        let promise = transport::attempt(
            id,
            &Outgoing {
                fetch: &p.fetch,
                prefix,
                path,
                method,
                headers: p.headers(call),
                body: if self.as_get { &no_body } else { &call.body },
                signal: &signal,
                timeout_ms: call.timeout_ms,
                plain: self.finish.plain_2xx(),
                cap: p.max_response_bytes,
            },
        );
        self.step = Step::Sent(permit);
        transport::park(id, self);
        Ok(promise.into())
    }

    /// Parks the call on a wait made by `make` (given the wait's number).
    fn wait(
        mut self: Box<Self>,
        step: Step,
        make: impl FnOnce(u32, &Step) -> js_sys::Promise,
    ) -> Stepped {
        let id = transport::reserve();
        let promise = make(id, &step);
        self.step = step;
        transport::park(id, self);
        Ok(promise.into())
    }

    /// The decision on an attempt (or on the body it read): synchronous, in
    /// [`Pipeline::next`].
    fn decide(mut self: Box<Self>, mut live: Live, body_read: bool) -> Stepped {
        let next = self.pipeline.next(
            &self.call,
            &live,
            self.redirected.as_deref().map(String::as_str),
            self.finish.json(),
            self.as_get,
        );
        match next {
            Next::Done(v) => {
                // `fetch()` hands the response over: its body is the caller's now.
                live.keep_body = !self.finish.json();
                drop(live);
                self.end(Ok(v))
            }
            Next::Fail(f) => self.end(Err(f)),
            Next::ReadBody if !body_read => {
                let cap = self.pipeline.max_response_bytes;
                self.wait(Step::Body(live), |id, step| match step {
                    Step::Body(live) => live.read_body(id, cap, false),
                    _ => js_sys::Promise::resolve(&JsValue::UNDEFINED),
                })
            }
            Next::ReadBody => {
                let f = self.pipeline.bad_response(
                    &self.call,
                    live.attempt.status(),
                    "the response body could not be read",
                );
                self.end(Err(f))
            }
            Next::Ended(attempt, cause) => self.retry_or_fail(attempt, live, cause),
            Next::Follow(to, get) if u32::from(self.hops) < MAX_REDIRECTS => {
                drop(live);
                self.hops += 1;
                self.as_get = self.as_get || get;
                self.redirected = Some(Box::new(to));
                self.acquire()
            }
            Next::Follow(..) => {
                let f = Failure::new(self.call.error(
                    ErrorKind::Network,
                    &cat!("more than ", MAX_REDIRECTS, " redirects"),
                ));
                self.end(Err(f))
            }
        }
    }

    /// An attempt that ended without a value: tried again (after the limiter's pause or a
    /// backoff), or the typed failure, with `details` read from its body first.
    fn retry_or_fail(
        mut self: Box<Self>,
        attempt: Attempt,
        live: Live,
        cause: Option<JsValue>,
    ) -> Stepped {
        let decision = self.pipeline.retry.decide(
            &self.call.method_text(),
            self.tries,
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
                self.tries = self.tries.saturating_add(1);
                self.hops = 0;
                self.redirected = None;
                self.as_get = false;
                match (&self.pipeline.scheduler, pause_limiter) {
                    // The whole bucket waits; the next acquire waits with it.
                    (Some(s), true) => {
                        if let Ok(mut s) = s.try_borrow_mut() {
                            s.pause_until(now_ms() + delay_ms);
                        }
                        self.acquire()
                    }
                    _ => {
                        let signal = self.signal();
                        self.wait(Step::Backoff, |id, _| {
                            transport::sleep(id, f64::from(timer_ms(delay_ms)), &signal)
                        })
                    }
                }
            }
            Decision::Done | Decision::GiveUp { .. } => {
                let retry_after_ms = match decision {
                    Decision::GiveUp { retry_after_ms } => retry_after_ms,
                    _ => None,
                };
                match attempt {
                    // The 403 body is empty by contract and never read (dropping cancels it).
                    Attempt::Response { status, .. } if status != 403 => {
                        let ending = Ending {
                            attempt,
                            live,
                            retry_after_ms,
                            cause,
                        };
                        self.wait(Step::Details(Box::new(ending)), |id, step| match step {
                            Step::Details(e) => {
                                e.live.read_body(id, redact::MAX_DETAILS_BYTES as f64, true)
                            }
                            _ => js_sys::Promise::resolve(&JsValue::UNDEFINED),
                        })
                    }
                    _ => {
                        let ending = Ending {
                            attempt,
                            live,
                            retry_after_ms,
                            cause,
                        };
                        self.failed(ending, None)
                    }
                }
            }
        }
    }

    /// The error body was read (or not, within the attempt's deadline): the typed failure
    /// with its `details`; the caller's signal firing meanwhile makes it an abort.
    fn details_read(self: Box<Self>, ending: Ending) -> Stepped {
        let live = &ending.live;
        let details = match live.code() {
            Code::Body => js_error::details_from_text(
                &live.attempt.text(),
                live.attempt.truncated(),
                &self.pipeline.api_key,
            ),
            Code::Aborted => {
                let f = aborted(&self.call);
                return self.end(Err(f));
            }
            _ => None,
        };
        self.failed(ending, details)
    }

    fn failed(self: Box<Self>, ending: Ending, details: Option<JsValue>) -> Stepped {
        let Ending {
            attempt,
            live,
            retry_after_ms,
            cause,
        } = ending;
        let mut failure =
            self.pipeline
                .fail(&self.call, attempt, Some(live), retry_after_ms, details);
        failure.cause = cause.or(failure.cause);
        self.end(Err(failure))
    }
}

impl Resume for Task {
    fn resume(mut self: Box<Self>, value: JsValue) -> Stepped {
        match core::mem::replace(&mut self.step, Step::Idle) {
            Step::Queued(waiter) => self.woken(waiter.into(), value.as_bool() == Some(true)),
            Step::Sent(permit) => {
                // The token is settled when the attempt ends.
                permit.settle();
                self.decide(Live::new(value), false)
            }
            Step::Body(live) => self.decide(live, true),
            Step::Backoff => {
                if value.as_bool() == Some(true) {
                    let f = aborted(&self.call);
                    return self.end(Err(f));
                }
                self.acquire()
            }
            Step::Details(ending) => self.details_read(*ending),
            Step::Idle => Ok(JsValue::UNDEFINED),
        }
    }

    fn ended(mut self: Box<Self>) {
        // The attempt's token is settled, as when its outcome is decided here.
        if let Step::Sent(permit) = core::mem::replace(&mut self.step, Step::Idle) {
            permit.settle();
        }
    }
}

impl Pipeline {
    /// The headers an attempt of `call` sends: its own, or the client's record.
    fn headers<'a>(&'a self, call: &'a Call) -> &'a JsValue {
        if !call.headers.is_undefined() {
            &call.headers
        } else if call.json {
            &self.json_headers
        } else {
            &self.headers
        }
    }

    /// What an attempt's outcome means: synchronous, every rule in Rust.
    fn next(
        &self,
        call: &Call,
        live: &Live,
        redirected: Option<&str>,
        json: bool,
        as_get: bool,
    ) -> Next {
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
            return Next::Fail(Failure::new(call.error(ErrorKind::Network, &why)));
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
            retry_at: Some(a.retry_at()).filter(|at| at.is_finite()),
            retry_after_ms: a.retry_after_ms(),
        };
        if !(300..400).contains(&status) || status == 304 {
            return Next::Ended(response, None);
        }
        let Some(next) = a.location().and_then(|l| {
            // The URL this attempt asked for: a redirect resolves against it.
            let url = redirected.map_or_else(|| call.url(self), ToOwned::to_owned);
            web_sys::Url::new_with_base(&l, &url).ok()
        }) else {
            return Next::Ended(response, None);
        };
        if next.origin() != self.origin {
            return Next::Fail(Failure::new(
                call.error(
                    ErrorKind::Network,
                    &[
                        "redirected to another origin (",
                        &next.origin(),
                        "); not followed, so the API key was not sent there",
                    ]
                    .cat(),
                )
                .with_status(status),
            ));
        }
        // 303 always, and 301/302 for POST, become GET without a body, as browsers do.
        let post = !as_get && call.method_text() == "POST";
        let get = status == 303 || ((status == 301 || status == 302) && post);
        Next::Follow(next.href(), get)
    }

    /// Whether a response is one the client may read (see
    /// [`urls::check_response_source`]).
    fn check_came_from_us(&self, live: &Live) -> Result<(), String> {
        let a = &live.attempt;
        // The common case, decided by the snippet with the same rule: no string crosses.
        if a.plain() {
            return Ok(());
        }
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
            call.error(
                ErrorKind::TooLarge,
                &cat!(
                    "the response body is larger than maxResponseBytes (",
                    cap as u64,
                    " bytes); the rest was not read"
                ),
            )
            .with_status(status),
        )
    }

    /// A response the client cannot use; `status` 0 when none was read.
    fn bad_response(&self, call: &Call, status: u16, why: &str) -> Failure {
        let mut error = call.error(ErrorKind::BadResponse, why);
        if status != 0 {
            error = error.with_status(status);
        }
        Failure::new(error)
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
        let m = &call.method_text();
        match (attempt, live) {
            (Attempt::Response { status, .. }, Some(live)) => {
                let request_id = live
                    .attempt
                    .request_id()
                    .map(|r| redact::mask(&r, &self.api_key, redact::MIN_MASKED_RUN));
                let p = call.display_path();
                let mut error = classify::error_for_status(status, m, &p, request_id.as_deref())
                    .unwrap_or_else(|| {
                        Error::new(ErrorKind::Http, cat!(m, " ", p, ": HTTP ", status))
                    });
                error.retry_after_ms = retry_after_ms.or(error.retry_after_ms);
                Failure {
                    error,
                    cause: None,
                    details,
                }
            }
            (Attempt::Timeout, _) => Failure::new(
                call.error(
                    ErrorKind::Timeout,
                    &cat!("no complete response within ", call.timeout_ms, " ms"),
                )
                .with_retryable(true),
            ),
            (_, _) => Failure::new(
                call.error(
                    ErrorKind::Network,
                    "the request could not be sent (network error)",
                )
                .with_retryable(true),
            ),
        }
    }
}

fn aborted(call: &Call) -> Failure {
    let f = Failure::new(call.error(ErrorKind::Aborted, "aborted by the caller's signal"));
    if call.signal.is_undefined() {
        return f;
    }
    match fallible::get(&call.signal, "reason") {
        Ok(r) => f.caused_by(r),
        Err(_) => f,
    }
}

fn queue_full(call: &Call) -> Failure {
    Failure::new(
        call.error(
            ErrorKind::QueueFull,
            "the rate-limit queue is full; nothing was sent. Slow down, or raise rateLimit.maxQueue",
        )
        .with_retryable(true),
    )
}

fn wait_event(call: &Call, state: &LimiterState) -> JsValue {
    let o = Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = Reflect::set(&o, &JsValue::from_str(k), &v);
    };
    set("method", call.method.clone());
    set("path", JsValue::from_str(&call.display_path()));
    set("queued", JsValue::from_f64(state.queued as f64));
    // When every token is held by a request still in flight, no return instant is known
    // yet; one window is the least it can take (a token returns a window after its
    // response), so that is the honest lower bound to show.
    let wait = state.next_token_in_ms.unwrap_or(state.window_ms);
    set("waitMs", JsValue::from_f64(wait));
    set("state", state_to_js(state, None));
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

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// A waiter's id comes back whole from the step.
        #[test]
        fn a_waiter_id_survives_its_halves(n: u64) {
            proptest::prop_assert_eq!(WaiterId::from(Halves::from(WaiterId(n))), WaiterId(n));
        }
    }
}
