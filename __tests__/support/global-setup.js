const { mkdirSync, mkdtempSync } = require("fs");
const { join, resolve } = require("path");

/**
 * cdktf's `Testing` helpers synthesize into a fresh `os.tmpdir()` folder each time and never remove
 * it (about 90 folders per `npm test`). TMPDIR is set here, in the process that starts the test
 * workers (a test file's `process.env` is a sandboxed copy that `os.tmpdir()` does not read), so
 * those folders land under the ignored `.cache/`; global-teardown.js removes them.
 */
module.exports = async () => {
  const parent = resolve(__dirname, "../../.cache/tmp");
  mkdirSync(parent, { recursive: true });
  process.env.VSS_TEST_SCRATCH = process.env.TMPDIR = mkdtempSync(join(parent, "jest-"));
};
