// The unit tier as mutation testing runs it: in-process tests only. main.test.ts runs the app
// command in a child process (an esbuild bundle of the sources), which mutants cannot reach.
const { projects } = require("./jest.config");
const unit = projects.find((p) => p.displayName === "unit");
module.exports = {
  ...unit,
  displayName: undefined,
  testPathIgnorePatterns: [...unit.testPathIgnorePatterns, "/__tests__/main\\.test\\.ts$"],
};
