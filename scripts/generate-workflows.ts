// `npm run generate:workflows [-- --check]`: writes the workflows generated from the configuration
// (the daily fleet check, and organization mode's wave deploys); with --check, writes nothing and
// exits 1 when a committed one is stale.
import { existsSync, readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { config } from "../config/environments";
import { organization } from "../config/organization";
import { loadEnvironments } from "../config/validate";
import { fleetCheckWorkflow, WORKFLOW_PATH } from "./fleet-check-schedule";
import { ORGANIZATION_DEPLOY_PATH, organizationDeployWorkflow } from "./organization-deploy-workflow";

const now = new Date();
const workflows = [
  {
    path: WORKFLOW_PATH,
    source: "config/environments.ts",
    generated: fleetCheckWorkflow(loadEnvironments(config, { now }), now),
  },
  // Organization mode's wave deploys, when it is on.
  ...(organization
    ? [
        {
          path: ORGANIZATION_DEPLOY_PATH,
          source: "the waves and member deploy role of config/organization.ts",
          generated: organizationDeployWorkflow(organization.waves, organization.memberRoles.deployRoleName),
        },
      ]
    : []),
];
const check = process.argv.includes("--check");
let stale = false;
for (const { path, source, generated } of workflows) {
  const file = join(__dirname, "..", path);
  const current = existsSync(file) ? readFileSync(file, "utf8") : undefined;
  if (current === generated) console.log(`${path} is up to date`);
  else if (check) {
    console.error(`${path} is out of date with ${source}: run npm run generate:workflows`);
    stale = true;
  } else {
    writeFileSync(file, generated);
    console.log(`wrote ${path}`);
  }
}
if (stale) process.exitCode = 1;
