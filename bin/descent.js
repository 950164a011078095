#!/usr/bin/env node
// Entry point of the `descent` command: runs the compiled CLI (built by `npm install` via `prepare`).
// Node set-up (threads) must run before the CLI's modules load jax-js, hence the separate import.
import "../dist/src/engine/nodeSetup.js";
import { main } from "../dist/src/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
