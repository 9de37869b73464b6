// Browsers, and bundlers' production builds (Vite, webpack): fetch the .wasm as an asset
// next to this file; bundlers that handle `new URL(..., import.meta.url)` emit and rewrite
// it. Needs top-level await (ES2022 targets: Chrome/Edge 89, Firefox 89, Safari 15).
import "./load-browser.mjs";
export * from "./api.mjs";
