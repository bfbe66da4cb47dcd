// The unit tier as mutation testing runs it: the in-process tests of what it mutates (modules,
// configuration, stacks, preflight checks). main.test.ts runs the app command in a child process (an
// esbuild bundle of the sources), which mutants cannot reach; the review and workflow tests judge
// other code and only slow each mutant down.
const { projects } = require("./jest.config");
const unit = projects.find((p) => p.displayName === "unit");
module.exports = {
  ...unit,
  displayName: undefined,
  // jest-circus, except that a test file with none of the tests a mutant's run selects is not loaded.
  testRunner: "<rootDir>/scripts/mutation-jest-circus.js",
  testPathIgnorePatterns: [
    ...unit.testPathIgnorePatterns,
    "/__tests__/main\\.test\\.ts$",
    "/__tests__/review/",
    "/__tests__/workflows[^/]*\\.test\\.ts$",
    "/__tests__/preflight/unreachable\\.test\\.ts$",
  ],
};
