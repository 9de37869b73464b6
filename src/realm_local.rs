//! `realm_local!`: the realm's globals. With `std`, `thread_local!` (native tests run on
//! many threads, each with its own); without it (the shipped `.wasm`), a plain `static`.

/// A realm global in the build without `std`: wasm32-unknown-unknown without the atomics
/// feature has one thread, so a `static` is what `thread_local!` would be there, without
/// std's thread-local machinery.
#[cfg(not(feature = "std"))]
pub(crate) struct Local<T>(T);

// Sound only with one thread: `lib.rs` refuses to build without `std` anywhere else.
#[cfg(not(feature = "std"))]
#[allow(unsafe_code)]
unsafe impl<T> Sync for Local<T> {}

#[cfg(not(feature = "std"))]
impl<T> Local<T> {
    pub(crate) const fn new(value: T) -> Self {
        Local(value)
    }

    /// As `LocalKey::with`.
    pub(crate) fn with<R>(&'static self, f: impl FnOnce(&T) -> R) -> R {
        f(&self.0)
    }
}

/// `thread_local! { static NAME: T = const { init }; ... }`, with `std` exactly that.
/// Only `const` initialisers: a static has no lazy one (a global made lazily holds a
/// `OnceCell`).
macro_rules! realm_local {
    () => {};
    ($(#[$attr:meta])* static $name:ident: $t:ty = const { $init:expr }; $($rest:tt)*) => {
        #[cfg(feature = "std")]
        thread_local! { $(#[$attr])* static $name: $t = const { $init }; }
        #[cfg(not(feature = "std"))]
        $(#[$attr])* static $name: $crate::realm_local::Local<$t> =
            $crate::realm_local::Local::new($init);
        realm_local! { $($rest)* }
    };
}
