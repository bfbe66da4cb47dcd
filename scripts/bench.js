#!/usr/bin/env node
// `npm run bench`: wall time and peak memory of synthesis, against the floor of merely loading
// cdktf, all measured in one run (the machine is noisy: only numbers from one run compare).
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const root = path.resolve(__dirname, "..");
const runs = Number(process.env.BENCH_RUNS || 5);
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "vss-bench-"));

/** Runs a node command `runs` times; returns the median wall seconds and the peak RSS in MiB. */
function measure(args, { cwd = scratch, env = {}, times = runs } = {}) {
  const walls = [];
  let peakKiB = 0;
  for (let i = 0; i < times; i++) {
    const started = process.hrtime.bigint();
    // GNU time reports the child's maximum resident set size (KiB) on stderr's last line.
    const result = spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, ...args], {
      cwd,
      env: { ...process.env, CHECKPOINT_DISABLE: "1", ...env },
      encoding: "utf8",
    });
    walls.push(Number(process.hrtime.bigint() - started) / 1e9);
    if (result.status !== 0) throw new Error(`${args.join(" ")} failed:\n${result.stderr}`);
    peakKiB = Math.max(peakKiB, Number(result.stderr.trim().split("\n").pop()));
  }
  walls.sort((a, b) => a - b);
  return { wall: walls[Math.floor(walls.length / 2)], peakMiB: peakKiB / 1024 };
}

function row(what, m, note = "") {
  console.log(
    `${what.padEnd(44)} ${`${m.wall.toFixed(3)} s`.padStart(9)} ${`${m.peakMiB.toFixed(0)} MiB`.padStart(9)}  ${note}`,
  );
}

try {
  if (!fs.existsSync("/usr/bin/time")) throw new Error("GNU time is missing: apt-get install time");
  const run = path.join(root, "scripts", "run.js");
  // Warm the esbuild bundles so that the timed runs measure synthesis, as a user's second synth does.
  measure([run, path.join(root, "main.ts")], { times: 1 });
  measure([run, path.join(root, "scripts/synth-generated.ts"), "1", path.join(scratch, "warm")], { times: 1 });

  console.log(
    `${"what".padEnd(44)} ${"wall".padStart(9)} ${"peak".padStart(9)}  (median of ${runs} runs; peak is the largest)`,
  );
  const floor = measure(["-e", "require('cdktf')"], { cwd: root });
  row(`node -e "require('cdktf')" (the floor)`, floor);
  const app = measure([run, path.join(root, "main.ts")], { env: { VSS_ENVIRONMENTS: "" } });
  const stacks = JSON.parse(fs.readFileSync(path.join(scratch, "cdktf.out", "manifest.json"), "utf8")).stacks;
  row(
    `app command: ${Object.keys(stacks).length} environments`,
    app,
    `+${(app.wall - floor.wall).toFixed(3)} s over the floor`,
  );
  const generated = measure([
    run,
    path.join(root, "scripts/synth-generated.ts"),
    "100",
    path.join(scratch, "generated"),
  ]);
  row(
    "100 generated environments",
    generated,
    `${((generated.wall - floor.wall) * 10).toFixed(1)} ms per environment over the floor`,
  );

  const preflightBench = path.join(root, "scripts", "bench-preflight.ts");
  if (fs.existsSync(preflightBench)) {
    const result = spawnSync(process.execPath, [run, preflightBench], { cwd: root, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`preflight bench failed:\n${result.stderr}`);
    const report = JSON.parse(result.stdout.trim().split("\n").pop());
    const calls = Object.entries(report.callsPerService)
      .map(([service, n]) => `${service} ${n}`)
      .join(", ");
    console.log(
      `${`preflight: ${report.instances} instances, ${report.roles} roles (mocked)`.padEnd(44)} ${`${(report.wallMs / 1000).toFixed(3)} s`.padStart(9)} ${"".padStart(9)}  API calls: ${calls}`,
    );
  }

  const organizationBench = path.join(root, "scripts", "bench-organization-preflight.ts");
  if (fs.existsSync(organizationBench)) {
    const result = spawnSync(process.execPath, [run, organizationBench], { cwd: root, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`organization preflight bench failed:\n${result.stderr}`);
    const report = JSON.parse(result.stdout.trim().split("\n").pop());
    const calls = (perService) =>
      Object.entries(perService)
        .map(([service, n]) => `${service} ${n}`)
        .join(", ");
    console.log(
      `${`preflight: ${report.accounts} accounts x ${report.instances / report.accounts} instances`.padEnd(44)} ${`${(report.wallMs / 1000).toFixed(3)} s`.padStart(9)} ${"".padStart(9)}  ${report.concurrency} at a time; API calls per account at most: ${calls(report.mostCallsPerAccount)}; ${report.withinBudget ? "within" : "OVER"} the budget of one account alone: ${calls(report.singleAccountBudget)}`,
    );
  }
} catch (error) {
  console.error(error.message);
  process.exitCode = 1;
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
