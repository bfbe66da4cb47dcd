import path from "node:path";
import process from "node:process";

// `npm run mutation`: how many deliberate bugs (mutants) in the code that builds and checks the stacks
// the unit tests catch. On demand, not in .ci/run: a full run takes tens of minutes on 2 cores.
// MUTATION_SHARD=<name> with MUTATION_FILES=<glob,glob> runs one part of the scope with its own
// reports under reports/mutation/<name>/, so a long run keeps what it finished
// (`node scripts/mutation-score.js` adds the parts up).
const shard = process.env.MUTATION_SHARD;
// Which tests each file holds, for jest.stryker.config.js's test runner (written by `npm run mutation`).
process.env.MUTATION_TEST_NAMES ??= path.resolve(".cache/mutation-test-names.json");
const reports = shard ? `reports/mutation/${shard}` : "reports/mutation";
// config/environments.ts and config/organization.ts are the user's data, not code: the tests must not depend on them.
const userData = ["!config/environments.ts", "!config/organization.ts"];
const scope = ["modules/**/*.ts", "config/**/*.ts", ...userData, "stacks/**/*.ts", "preflight/checks.ts"];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: shard ? [...process.env.MUTATION_FILES.split(","), ...userData] : scope,
  testRunner: "jest",
  jest: { projectType: "custom", configFile: "jest.stryker.config.js", enableFindRelatedTests: true },
  coverageAnalysis: "perTest",
  // Static mutants (module-level constants: regexes, policy statements) need the whole suite per
  // mutant: about 1,300 of them, a day of runs here. They are counted as ignored, not as killed.
  ignoreStatic: true,
  concurrency: 2,
  // Reuses the results of unchanged code and tests from the last run (reports/stryker-incremental.json).
  incremental: true,
  incrementalFile: `${reports}/stryker-incremental.json`,
  // On top of 1.5 x the covering tests' own time: enough under load, short enough that the loops a mutant makes
  // endless (the schedule's search for the next run) do not stall a worker for long.
  timeoutMS: 10_000,
  reporters: ["clear-text", "progress-append-only", "html", "json"],
  htmlReporter: { fileName: `${reports}/index.html` },
  jsonReporter: { fileName: `${reports}/mutation.json` },
  tempDirName: shard ? `.cache/stryker-tmp-${shard}` : ".cache/stryker-tmp",
  cleanTempDir: "always",
  ignorePatterns: [".cache", "cdktf.out", ".build", "terraform-state", "reports", "coverage"],
  thresholds: { high: 90, low: 85, break: null },
};
