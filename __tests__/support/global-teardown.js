const { rmSync } = require("fs");

/** Removes the run's scratch folder that global-setup.js made TMPDIR (never TMPDIR itself: it may be the system's). */
module.exports = async () => {
  if (process.env.VSS_TEST_SCRATCH) rmSync(process.env.VSS_TEST_SCRATCH, { recursive: true, force: true });
};
