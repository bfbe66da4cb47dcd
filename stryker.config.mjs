// `npm run mutation`: how many deliberate bugs (mutants) in the code that builds and checks the stacks
// the unit tests catch. On demand, not in .ci/run: a full run takes tens of minutes on 2 cores.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  // config/environments.ts is the user's data, not code: the tests must not depend on it.
  mutate: ["modules/**/*.ts", "config/**/*.ts", "!config/environments.ts", "stacks/**/*.ts", "preflight/checks.ts"],
  testRunner: "jest",
  jest: { projectType: "custom", configFile: "jest.stryker.config.js", enableFindRelatedTests: true },
  coverageAnalysis: "perTest",
  // Static mutants (module-level constants: regexes, policy statements) need the whole suite per
  // mutant: about 1,300 of them, a day of runs here. They are counted as ignored, not as killed.
  ignoreStatic: true,
  concurrency: 2,
  // Reuses the results of unchanged code and tests from the last run (reports/stryker-incremental.json).
  incremental: true,
  incrementalFile: "reports/stryker-incremental.json",
  timeoutMS: 20_000,
  reporters: ["clear-text", "progress-append-only", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  tempDirName: ".cache/stryker-tmp",
  cleanTempDir: "always",
  ignorePatterns: [".cache", "cdktf.out", ".build", "terraform-state", "reports", "coverage"],
  thresholds: { high: 90, low: 85, break: null },
};
