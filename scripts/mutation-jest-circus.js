// Jest's own test runner (jest-circus) for mutation runs, minus one waste. Stryker runs a mutant's
// covering tests by name (testNamePattern) in every test file that imports the mutated file, and
// Jest loads each of those files (cdktf, the provider classes, the fixtures) even when none of its
// tests has that name: most of a mutant's time. A file none of whose tests match is answered with an
// empty result instead. Which tests a file holds comes from MUTATION_TEST_NAMES (written just before
// the run by scripts/mutation-test-names.js); without it, or when the pattern matches
// no test of any file, every file runs as usual, so a mutant is never judged by fewer tests than
// Stryker chose. (The file name must contain "jest-circus": Stryker's per-test coverage requires it.)
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

module.exports = async function run(globalConfig, config, environment, runtime, testPath, sendMessageToJest) {
  const selected = globalConfig.testNamePattern ? filesSelectedBy(globalConfig.testNamePattern) : undefined;
  const file = path.relative(config.rootDir, testPath);
  if (selected && !selected.has(file)) return allSkipped(testPath, file);
  return circus(globalConfig, config, environment, runtime, testPath, sendMessageToJest);
};
