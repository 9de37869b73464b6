# conveyor-client: every command installs what it needs first (scripts/setup.sh) and is
# quick when everything is already there.
SHELL := /bin/bash
.DEFAULT_GOAL := help
ENV := source scripts/env.sh &&
WASM_TEST := env CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
	cargo test --target wasm32-unknown-unknown -p conveyor-client

.PHONY: help setup build sandbox test test-native test-wasm test-e2e test-packaging test-www lint demo bench fuzz clean

help:
	@echo "make demo   run the demo against the local sandbox"
	@echo "make test   run every test (native, wasm in Node and Chromium, packed package in Node/workerd/Deno/Chromium, tsc,"
	@echo "            the packaging matrix: every bundler and runtime, attw, publint)"
	@echo "make build  build pkg/ and print the gzipped sizes"
	@echo "make bench  run the benchmarks (not part of make test)"
	@echo "make fuzz   run the fuzz target with 200000 cases per property"

setup:
	@bash scripts/setup.sh

build: setup
	@bash scripts/build.sh

sandbox: setup
	@$(ENV) cargo build -q -p conveyor-sandbox

lint: setup
	@$(ENV) cargo fmt --all --check
	@$(ENV) cargo clippy -q --workspace --all-targets -- -D warnings
	@$(ENV) cargo clippy -q --workspace --all-targets --features conveyor-client/stores -- -D warnings
	@$(ENV) cargo clippy -q --lib --target wasm32-unknown-unknown -p conveyor-client -- -D warnings
	@$(ENV) cargo clippy -q --lib --target wasm32-unknown-unknown -p conveyor-client --features stores -- -D warnings
	@$(ENV) cargo clippy -q --lib --target wasm32-unknown-unknown -p conveyor-client --no-default-features -- -D warnings
	@$(ENV) cargo clippy -q --lib --target wasm32-unknown-unknown -p conveyor-client --no-default-features --features stores -- -D warnings
	@$(ENV) cargo machete
	@bash scripts/checkjs.sh

# The lean build's tests, then the crate's own tests with the store shell (`stores`).
test-native: setup
	@$(ENV) cargo test -q --workspace
	@$(ENV) cargo test -q -p conveyor-client --lib --features stores

test-wasm: sandbox
	@$(ENV) bash scripts/with-sandbox.sh $(WASM_TEST) --test wasm_node
	@$(ENV) bash scripts/with-sandbox.sh $(WASM_TEST) --test wasm_browser

test-e2e: build sandbox
	@$(ENV) node --test tests/build/
	@bash scripts/e2e.sh

# The packed tarball built by Vite, webpack, esbuild, Rollup, bun build, wrangler and run in
# Node, Bun, Deno, workerd and Chromium; attw, publint and the tsc consumer matrix.
test-packaging: build sandbox
	@bash scripts/packaging.sh

test-www: build sandbox
	@$(ENV) node --test tests/www/

test: lint test-native test-wasm test-e2e test-packaging test-www
	@echo "make test: all suites passed"

demo: build sandbox
	@bash scripts/demo.sh

bench: build
	@$(ENV) cargo build -q --release -p conveyor-sandbox
	@$(ENV) SANDBOX_BIN=$$PWD/target/release/conveyor-sandbox node bench/run.mjs

fuzz: setup
	@$(ENV) CARGO_TARGET_DIR=target/fuzz CARGO_PROFILE_DEV_OPT_LEVEL=3 \
		PROPTEST_CASES=$${PROPTEST_CASES:-200000} cargo test -q --test fuzz_classify

clean:
	rm -rf target pkg/dist node_modules .tools
