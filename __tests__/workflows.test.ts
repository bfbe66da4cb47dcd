import { validateWorkflow } from "@action-validator/core";
import { readdirSync, readFileSync } from "fs";
import { join } from "path";
import { parse } from "yaml";

const folder = join(__dirname, "..", ".github", "workflows");
const files = readdirSync(folder).filter((file) => file.endsWith(".yml"));
const source = (file: string) => readFileSync(join(folder, file), "utf8");

interface Job {
  readonly permissions?: Record<string, string>;
  readonly environment?: string;
  readonly needs?: string | string[];
  readonly uses?: string;
  readonly steps?: { uses?: string; run?: string; with?: Record<string, unknown> }[];
  readonly strategy?: { matrix?: { include?: Record<string, string>[] } };
}
const workflow = (file: string) => parse(source(file)) as { permissions?: Record<string, string>; jobs: Record<string, Job> };

describe("GitHub workflows", () => {
  it("are checked by a validator that rejects a misspelt key (so a pass means something)", () => {
    const misspelt = "on: push\njobs:\n  build:\n    runs-on: ubuntu-24.04\n    permisions: {}\n    steps:\n      - run: echo\n";
    expect(JSON.stringify(validateWorkflow(misspelt).errors)).toContain("Additional property 'permisions' is not allowed");
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
      const granted = Object.values(jobs).flatMap((job) => Object.entries(job.permissions ?? {}).filter(([, level]) => level === "write").map(([scope]) => scope));
      expect(granted.every((scope) => scope === "id-token" || scope === "pull-requests")).toBe(true);
    });

    it("takes AWS credentials from OIDC only, never long-lived keys", () => {
      expect(source(file)).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/);
      for (const job of Object.values(workflow(file).jobs)) {
        const assumesRole = (job.steps ?? []).some((step) => step.uses?.startsWith("aws-actions/configure-aws-credentials@"));
        if (assumesRole) expect(job.permissions?.["id-token"]).toBe("write");
      }
    });
  });

  it("plans every configured environment in the pull request, then one job posts the review", () => {
    const { jobs } = workflow("pull-request.yml");
    const { config } = jest.requireActual("../config/environments") as typeof import("../config/environments");
    expect(jobs.plan.strategy?.matrix?.include?.map((entry) => entry.environment)).toEqual(config.environments.map((env) => env.name));
    expect(jobs.review.permissions).toEqual({ contents: "read", "pull-requests": "write" });
    expect(jobs.review.steps?.map((step) => step.run ?? "").join("\n")).toContain("npm run review");
  });

  it("deploys dev, then staging, then prod, each in its GitHub environment", () => {
    const { jobs } = workflow("deploy.yml");
    expect([jobs.dev.needs, jobs.staging.needs, jobs.prod.needs]).toEqual([undefined, "dev", "staging"]);
    expect(Object.values(jobs).map((job) => job.uses)).toEqual(Array(3).fill("./.github/workflows/deploy-environment.yml"));
    const deployJob = workflow("deploy-environment.yml").jobs.deploy;
    expect(deployJob.environment).toBe("${{ inputs.environment }}");
    expect(deployJob.steps?.at(-1)?.run).toBe('npx cdktf deploy "$VSS_ENVIRONMENTS" --auto-approve');
  });
});
