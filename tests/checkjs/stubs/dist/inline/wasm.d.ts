// The .wasm as base64, written by the build (pkg/dist/inline/wasm.js).
declare const base64: string;
export default base64;
