#!/usr/bin/env node
// The cdktf "app" command. Runs main.ts as JavaScript bundled by esbuild, rebuilding first when
// any source file changed, so synth never runs stale code and pays no TypeScript compiler start-up.
// Types are checked by `npm run typecheck`, not here.
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const outfile = path.join(root, ".build", "main.js");
const metafile = path.join(root, ".build", "meta.json");

function isStale() {
  let builtAt;
  let inputs;
  try {
    builtAt = fs.statSync(outfile).mtimeMs;
    inputs = Object.keys(JSON.parse(fs.readFileSync(metafile, "utf8")).inputs);
  } catch {
    return true;
  }
  return inputs.some((input) => {
    try {
      return fs.statSync(path.join(root, input)).mtimeMs > builtAt;
    } catch {
      return true; // a source file was removed or renamed
    }
  });
}

if (isStale()) {
  const result = require("esbuild").buildSync({
    absWorkingDir: root,
    entryPoints: ["main.ts"],
    outfile,
    bundle: true,
    packages: "external",
    platform: "node",
    target: "node20",
    format: "cjs",
    metafile: true,
    logLevel: "warning",
  });
  fs.writeFileSync(metafile, JSON.stringify(result.metafile));
}
require(outfile);
