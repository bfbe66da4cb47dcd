// Before a mutation run: which tests each test file of the mutation tier holds (file relative to the
// project → full test names), for scripts/mutation-jest-circus.js. Runs that tier once (about 20 s).
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
const results = path.join(root, ".cache", "mutation-jest-results.json");
const run = spawnSync("npx", ["jest", "-c", "jest.stryker.config.js", "--json", `--outputFile=${results}`], {
  cwd: root,
  stdio: ["ignore", "ignore", "inherit"],
});
if (run.status !== 0) process.exit(run.status ?? 1);
const names = {};
for (const file of JSON.parse(fs.readFileSync(results, "utf8")).testResults)
  names[path.relative(root, file.name)] = file.assertionResults.map((test) => test.fullName);
fs.writeFileSync(path.join(root, ".cache", "mutation-test-names.json"), JSON.stringify(names));
