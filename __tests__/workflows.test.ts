import { validateAction, validateWorkflow } from "@action-validator/core";
import { readdirSync, readFileSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import { BACKEND_VARIABLES } from "../config/backend";

const folder = join(__dirname, "..", ".github", "workflows");
const files = readdirSync(folder).filter((file) => file.endsWith(".yml"));
const source = (file: string) => readFileSync(join(folder, file), "utf8");

const actionsFolder = join(__dirname, "..", ".github", "actions");
const localActions = readdirSync(actionsFolder);

interface Job {
  readonly if?: string;
  readonly permissions?: Record<string, string>;
  readonly environment?: string;
  readonly needs?: string | string[];
  readonly uses?: string;
  readonly env?: Record<string, string>;
  readonly with?: Record<string, string>;
  readonly secrets?: unknown;
  readonly steps?: { uses?: string; run?: string; if?: string; with?: Record<string, unknown> }[];
  readonly strategy?: { matrix?: { include?: Record<string, string>[] } };
}
const workflow = (file: string) =>
  parse(source(file)) as { permissions?: Record<string, string>; jobs: Record<string, Job> };

describe("GitHub workflows", () => {
  it("are checked by a validator that rejects a misspelt key (so a pass means something)", () => {
    const misspelt =
      "on: push\njobs:\n  build:\n    runs-on: ubuntu-24.04\n    permisions: {}\n    steps:\n      - run: echo\n";
    expect(JSON.stringify(validateWorkflow(misspelt).errors)).toContain(
      "Additional property 'permisions' is not allowed",
    );
  });

  it("exist: pull request review, deploy, and the per-environment deploy", () => {
    expect(files.sort()).toEqual(["deploy-environment.yml", "deploy.yml", "pull-request.yml"]);
  });

  describe.each(files)("%s", (file) => {
    it("is a valid workflow (action-validator's schema)", () => {
      expect(validateWorkflow(source(file)).errors).toEqual([]);
    });

    it("pins every action by a full commit SHA, with the version in a comment", () => {
      const uses = [...source(file).matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/gm)].map((m) => [m[1], m[2].trim()]);
      for (const [action, comment] of uses.filter(([action]) => !action.startsWith("./"))) {
        expect(action).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
        expect(comment).toMatch(/^# v\d+\.\d+\.\d+$/);
      }
    });

    it("declares read-only default permissions and widens them per job only", () => {
      const { permissions, jobs } = workflow(file);
      expect(permissions).toEqual({ contents: "read" });
      const granted = Object.values(jobs).flatMap((job) =>
        Object.entries(job.permissions ?? {})
          .filter(([, level]) => level === "write")
          .map(([scope]) => scope),
      );
      expect(granted.every((scope) => scope === "id-token" || scope === "pull-requests")).toBe(true);
    });

    it("takes AWS credentials from OIDC only, never long-lived keys", () => {
      expect(source(file)).not.toMatch(
        /aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/,
      );
      for (const job of Object.values(workflow(file).jobs)) {
        const assumesRole = (job.steps ?? []).some((step) =>
          step.uses?.startsWith("aws-actions/configure-aws-credentials@"),
        );
        if (assumesRole) expect(job.permissions?.["id-token"]).toBe("write");
      }
    });
  });

  it.each(localActions)("uses a valid local action: %s", (name) => {
    expect(validateAction(readFileSync(join(actionsFolder, name, "action.yml"), "utf8")).errors).toEqual([]);
  });

  it("hands every backend override variable to the plan and the deploy", () => {
    const forwarded = (job: Job) => Object.keys(job.env ?? {}).filter((name) => name.startsWith("VSS_"));
    const expected = expect.arrayContaining(Object.values(BACKEND_VARIABLES));
    expect(forwarded(workflow("pull-request.yml").jobs.plan)).toEqual(expected);
    expect(forwarded(workflow("deploy-environment.yml").jobs.deploy)).toEqual(expected);
  });

  it("never lets pull-request code hold deploy credentials: plan roles and tokens are separate, and no secret is inherited", () => {
    const planRoles = workflow("pull-request.yml").jobs.plan.strategy!.matrix!.include!.map((entry) => entry.role);
    const deployRoles = Object.values(workflow("deploy.yml").jobs).map((job) => job.with?.["role-variable"]);
    expect(planRoles).toEqual(["AWS_PLAN_ROLE_ARN_DEV", "AWS_PLAN_ROLE_ARN_STAGING", "AWS_PLAN_ROLE_ARN_PROD"]);
    expect(deployRoles).toEqual(["AWS_ROLE_ARN_DEV", "AWS_ROLE_ARN_STAGING", "AWS_ROLE_ARN_PROD"]);
    expect(source("pull-request.yml")).not.toContain("secrets.TF_API_TOKEN }}");
    for (const job of Object.values(workflow("deploy.yml").jobs)) expect(job.secrets).toBeUndefined();
  });

  it("keeps fork pull requests from steps that need repository credentials", () => {
    const { jobs } = workflow("pull-request.yml");
    const sameRepository = "${{ github.event.pull_request.head.repo.full_name == github.repository }}";
    expect(jobs.plan.if).toBe(sameRepository);
    expect(jobs.review.steps?.find((step) => step.uses?.startsWith("actions/github-script@"))?.if).toBe(sameRepository);
  });

  it("refuses to deploy a stack with local state, and only warns when planning one", () => {
    const severityBefore = (job: Job, command: string) => {
      const steps = job.steps ?? [];
      const check = steps.findIndex((step) => step.uses === "./.github/actions/check-state-backend");
      expect(check).toBeGreaterThan(steps.findIndex((step) => step.run === "npm run synth"));
      expect(check).toBeLessThan(steps.findIndex((step) => (step.run ?? "").includes(command)));
      return steps[check].with?.severity;
    };
    expect(severityBefore(workflow("deploy-environment.yml").jobs.deploy, "cdktf deploy")).toBe("error");
    expect(severityBefore(workflow("pull-request.yml").jobs.plan, "plan -input=false")).toBe("warning");
  });

  it("plans every configured environment in the pull request, then one job posts the review", () => {
    const { jobs } = workflow("pull-request.yml");
    const { config } = jest.requireActual("../config/environments") as typeof import("../config/environments");
    expect(jobs.plan.strategy?.matrix?.include?.map((entry) => entry.environment)).toEqual(
      config.environments.map((env) => env.name),
    );
    expect(jobs.review.permissions).toEqual({ contents: "read", "pull-requests": "write" });
    expect(jobs.review.steps?.map((step) => step.run ?? "").join("\n")).toContain("npm run review");
  });

  it("deploys dev, then staging, then prod, each in its GitHub environment", () => {
    const { jobs } = workflow("deploy.yml");
    expect([jobs.dev.needs, jobs.staging.needs, jobs.prod.needs]).toEqual([undefined, "dev", "staging"]);
    expect(Object.values(jobs).map((job) => job.uses)).toEqual(
      Array(3).fill("./.github/workflows/deploy-environment.yml"),
    );
    const deployJob = workflow("deploy-environment.yml").jobs.deploy;
    expect(deployJob.environment).toBe("${{ inputs.environment }}");
    expect(deployJob.steps?.at(-1)?.run).toBe('npx cdktf deploy "$VSS_ENVIRONMENTS" --auto-approve');
  });
});
