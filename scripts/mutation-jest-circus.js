// Jest's own test runner (jest-circus) for mutation runs, minus two wastes of a mutant's time:
// - Stryker runs a mutant's covering tests by name (testNamePattern) in every test file that imports
//   the mutated file, and Jest loads each of them (cdktf, the provider classes, the fixtures) even
//   when none of its tests has such a name. Such a file is answered as skipped instead. Which tests a
//   file holds comes from MUTATION_TEST_NAMES (written just before the run by
//   scripts/mutation-test-names.js); without it, or when the pattern matches no test of any file,
//   every file runs as usual.
// - Once a file fails under a mutant, the mutant is killed: the run's remaining files are skipped.
// So a surviving mutant has always run every test Stryker chose for it. (The file name must contain
// "jest-circus": Stryker's per-test coverage requires it.)
const fs = require("fs");
const path = require("path");
const circus = require("jest-circus/runner");
const { createEmptyTestResult } = require("@jest/test-result");

function loadTestNames() {
  const source = process.env.MUTATION_TEST_NAMES;
  if (!source || !fs.existsSync(source)) return undefined;
  return Object.entries(JSON.parse(fs.readFileSync(source, "utf8"))).map(([file, names]) => ({ file, names }));
}

let testNames;
let lastPattern;
let filesToRun;

/** The files (relative to the project) holding a test the pattern selects; undefined: run every file. */
function filesSelectedBy(pattern) {
  if (pattern !== lastPattern) {
    testNames ??= loadTestNames() ?? [];
    const matches = new RegExp(pattern, "i");
    const files = testNames.filter((f) => f.names.some((name) => matches.test(name))).map((f) => f.file);
    filesToRun = files.length > 0 ? new Set(files) : undefined;
    lastPattern = pattern;
  }
  return filesToRun;
}

/** What Jest reports for a file whose tests the pattern all skips: each test pending. */
function allSkipped(testPath, file) {
  const names = testNames.find((f) => f.file === file)?.names ?? [];
  const skipped = names.map((fullName) => ({
    ancestorTitles: [],
    duration: null,
    failureDetails: [],
    failureMessages: [],
    fullName,
    numPassingAsserts: 0,
    status: "pending",
    title: fullName,
  }));
  return { ...createEmptyTestResult(), numPendingTests: skipped.length, testFilePath: testPath, testResults: skipped };
}

// Stryker bails on a mutant's first failing test (disableBail: false, its default) but cannot tell Jest
// to, which has no programmatic bail. Stryker's runs are in band, so this module sees a run's files in turn.
let killedMutant;

module.exports = async function run(globalConfig, config, environment, runtime, testPath, sendMessageToJest) {
  const mutant = process.env.__STRYKER_ACTIVE_MUTANT__;
  const selected = globalConfig.testNamePattern ? filesSelectedBy(globalConfig.testNamePattern) : undefined;
  const file = path.relative(config.rootDir, testPath);
  if ((mutant !== undefined && mutant === killedMutant) || (selected && !selected.has(file))) {
    return allSkipped(testPath, file);
  }
  const result = await circus(globalConfig, config, environment, runtime, testPath, sendMessageToJest);
  if (mutant !== undefined && result.numFailingTests > 0) killedMutant = mutant;
  return result;
};
