// Bundles svix's own webhook signer and verifier into one ESM file every runtime can load
// (Node, Deno, workerd through a worker bundle, Chromium through a static server): the
// independent check the webhook scenario runs against. Usage: node scripts/bundle-svix.mjs OUTFILE
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const [outfile] = process.argv.slice(2);
if (!outfile) throw new Error("usage: node scripts/bundle-svix.mjs OUTFILE");
await build({
  stdin: { contents: 'export { Webhook } from "svix";', resolveDir: fileURLToPath(new URL("..", import.meta.url)) },
  bundle: true,
  format: "esm",
  platform: "neutral",
  mainFields: ["module", "main"],
  outfile,
  logLevel: "error",
});
