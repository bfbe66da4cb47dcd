// `npm run generate:workflows [-- --check]`: writes the workflows generated from the configuration
// (today: the daily fleet check); with --check, writes nothing and exits 1 when a committed one is stale.
import { existsSync, readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { config } from "../config/environments";
import { loadEnvironments } from "../config/validate";
import { fleetCheckWorkflow, WORKFLOW_PATH } from "./fleet-check-schedule";

const now = new Date();
const file = join(__dirname, "..", WORKFLOW_PATH);
const generated = fleetCheckWorkflow(loadEnvironments(config, { now }), now);
const current = existsSync(file) ? readFileSync(file, "utf8") : undefined;
if (process.argv.includes("--check")) {
  if (current !== generated) {
    console.error(`${WORKFLOW_PATH} is out of date with config/environments.ts: run npm run generate:workflows`);
    process.exit(1);
  }
  console.log(`${WORKFLOW_PATH} is up to date`);
} else if (current === generated) console.log(`${WORKFLOW_PATH} is up to date`);
else {
  writeFileSync(file, generated);
  console.log(`wrote ${WORKFLOW_PATH}`);
}
