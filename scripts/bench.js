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

/**
 * Runs a node command `runs` times; returns the median and the best wall seconds, the peak RSS in MiB
 * and the last run's stdout.
 */
function measure(args, { cwd = scratch, env = {}, times = runs } = {}) {
  const walls = [];
  let peakKiB = 0;
  let stdout = "";
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
    stdout = result.stdout;
  }
  walls.sort((a, b) => a - b);
  return { wall: walls[Math.floor(walls.length / 2)], best: walls[0], peakMiB: peakKiB / 1024, stdout };
}

function row(what, m, note = "") {
  console.log(
    `${what.padEnd(44)} ${`${m.wall.toFixed(3)} s`.padStart(9)} ${`${m.peakMiB.toFixed(0)} MiB`.padStart(9)}  ${note}`,
  );
}

/** Limits a row broke; the bench fails when there is any, after every row is printed. */
const over = [];
function limit(what, value, max, unit) {
  if (value > max) over.push(`${what}: ${value.toFixed(3)} ${unit}, over the limit of ${max} ${unit}`);
}

/** The stacks the last synthesis into `outdir` wrote. */
const stacksIn = (outdir) =>
  Object.keys(JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")).stacks);

try {
  if (!fs.existsSync("/usr/bin/time")) throw new Error("GNU time is missing: apt-get install time");
  const run = path.join(root, "scripts", "run.js");
  // Warm the esbuild bundles so that the timed runs measure synthesis, as a user's second synth does.
  measure([run, path.join(root, "main.ts")], { times: 1 });
  measure([run, path.join(root, "scripts/synth-generated.ts"), "1", path.join(scratch, "warm")], { times: 1 });
  measure([run, path.join(root, "scripts/synth-organization.ts"), "3", path.join(scratch, "warm-organization")], {
    times: 1,
  });

  console.log(
    `${"what".padEnd(44)} ${"wall".padStart(9)} ${"peak".padStart(9)}  (median of ${runs} runs; peak is the largest)`,
  );
  const floor = measure(["-e", "require('cdktf')"], { cwd: root });
  row(`node -e "require('cdktf')" (the floor)`, floor);
  const app = measure([run, path.join(root, "main.ts")], { env: { VSS_ENVIRONMENTS: "" } });
  row(
    `app command: ${stacksIn(path.join(scratch, "cdktf.out")).length} stacks`,
    app,
    `+${(app.wall - floor.wall).toFixed(3)} s over the floor`,
  );
  limit("app command, time over the floor", app.wall - floor.wall, 0.35, "s");
  limit("app command, peak", app.peakMiB, 120, "MiB");
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
  limit("100 generated environments", generated.wall, 3, "s");

  // Organization mode at scale: a generated organization (no committed data) next to the example environments.
  const organization = (outdir, env = {}) => {
    const m = measure([run, path.join(root, "scripts/synth-organization.ts"), "500", outdir], { env });
    const stacks = stacksIn(outdir);
    const { stacksPerThread } = JSON.parse(m.stdout);
    const threads = `${stacksPerThread.length} threads (${stacksPerThread.join(" + ")} stacks in the last run)`;
    return { ...m, stacks: stacks.length, threads, perStackMs: ((m.wall - floor.wall) * 1000) / stacks.length };
  };
  const full = organization(path.join(scratch, "organization"));
  row(
    `organization: ${full.stacks} stacks (500 members)`,
    full,
    `${full.perStackMs.toFixed(1)} ms per stack over the floor (best run ${full.best.toFixed(3)} s), ${full.threads}; limits 6 s, 400 MiB`,
  );
  limit("organization, 500 member stacks", full.wall, 6, "s");
  limit("organization, 500 member stacks, peak", full.peakMiB, 400, "MiB");
  // A filter synthesizes only its stacks (every member is still validated): its time per stack may exceed
  // the full run's by the fixed part (loading, validating the whole organization), at most by half.
  for (const [variable, value] of [
    ["VSS_WAVE", "prod"],
    ["VSS_OU", "Root/Workloads/NonProd"],
  ]) {
    const filtered = organization(path.join(scratch, `organization-${variable}`), { [variable]: value });
    const ratio = filtered.perStackMs / full.perStackMs;
    row(
      `${variable}=${value}: ${filtered.stacks} stacks`,
      filtered,
      `${filtered.perStackMs.toFixed(1)} ms per stack over the floor, ${ratio.toFixed(2)}x the full run's (limit 1.5x; best run ${filtered.best.toFixed(3)} s), ${filtered.threads}`,
    );
    limit(`${variable}=${value}, time per stack against the full run's`, ratio, 1.5, "x");
  }

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
  if (over.length > 0) throw new Error(`Over the limits:\n${over.join("\n")}`);
} catch (error) {
  console.error(error.message);
  process.exitCode = 1;
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
