// Vite 6's default build target predates top-level await, which the browser entry uses to
// fetch its .wasm: the one line README documents for Vite 6.
export default { build: { target: "es2022" } };
