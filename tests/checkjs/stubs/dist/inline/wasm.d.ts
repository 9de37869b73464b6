// The .wasm as hex, written by the build (pkg/dist/inline/wasm.js).
declare const hex: string;
export default hex;
