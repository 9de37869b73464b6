// Rollup's usual setup for a browser app: node-resolve with browser: true. Nothing here is
// for conveyor-client.
import { nodeResolve } from "@rollup/plugin-node-resolve";

export default {
  input: "src/main.js",
  output: { dir: "out", format: "es" },
  plugins: [nodeResolve({ browser: true })],
};
