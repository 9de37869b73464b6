// Browsers and bundlers: fetch the .wasm next to this file (bundlers rewrite the URL).
import "./load-browser.mjs";
export * from "./api.mjs";
