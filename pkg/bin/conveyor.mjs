#!/usr/bin/env node
// `conveyor`: the command-line tool of conveyor-client (Node only). Everything lives under
// ./cli/, which nothing the package's entries import, so `import "conveyor-client"` never
// loads it.
import { main } from "./cli/main.mjs";

process.exitCode = await main(process.argv.slice(2));
