// The one test that reads the user's configuration: the committed workflows follow it.
import { NOW } from "./support/clock";
import { readFileSync } from "fs";
import { join } from "path";
import { config } from "../config/environments";
import { loadEnvironments } from "../config/validate";
import { fleetCheckWorkflow, WORKFLOW_PATH } from "../scripts/fleet-check-schedule";
import { ORGANIZATION_DEPLOY_PATH, organizationDeployWorkflow } from "../scripts/organization-deploy-workflow";
import { ROOT, workflow } from "./support/workflows";

describe("the committed workflows follow config/environments.ts", () => {
  const names = config.environments.map((env) => env.name);

  it(`${WORKFLOW_PATH} is up to date (else: npm run generate:workflows)`, () => {
    const committed = readFileSync(join(ROOT, WORKFLOW_PATH), "utf8");
    expect(committed).toBe(fleetCheckWorkflow(loadEnvironments(config, { now: NOW }), NOW));
  });

  // The waves of scripts/generate-workflows.ts until config/organization.ts wires them (then: its waves).
  it(`${ORGANIZATION_DEPLOY_PATH} is up to date (else: npm run generate:workflows)`, () => {
    const committed = readFileSync(join(ROOT, ORGANIZATION_DEPLOY_PATH), "utf8");
    expect(committed).toBe(organizationDeployWorkflow(["sandbox", "non-prod", "prod"], "vss-backup-deploy"));
  });

  it("the pull request plans every environment, and the deploy plans and applies each in order", () => {
    const { jobs } = workflow("pull-request.yml");
    expect(jobs.plan.strategy?.matrix?.include?.map((entry) => entry.environment)).toEqual(names);
    expect(Object.keys(workflow("deploy.yml").jobs)).toEqual(
      names.flatMap((name) => [`plan-${name}`, `apply-${name}`]),
    );
  });
});
