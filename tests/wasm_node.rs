//! The JS-shell tests in Node (wasm-bindgen-test's default runtime).
#![cfg(target_arch = "wasm32")]

mod wasm_common;
