import { BACKEND_VARIABLES } from "../config/backend";
import { REVIEW_MARKER } from "../review/report";
import {
  action,
  actionNames,
  actionSource,
  allJobs,
  environmentOf,
  expandedSteps,
  hasShellcheck,
  lintWorkflow,
  Job,
  localActionName,
  runBlocks,
  shellcheck,
  Step,
  workflow,
  workflowFiles,
  workflowSource,
} from "./support/workflows";

const thirdParty = (uses: string | undefined) => !!uses && !uses.startsWith("./");
const everyStep = () => [
  ...allJobs().flatMap(([file, id, job]) => (job.steps ?? []).map((step) => [`${file} ${id}`, step] as const)),
  ...actionNames.flatMap((name) => action(name).runs.steps.map((step) => [name, step] as const)),
];
/** The secret names a job's expressions read (job env, step env and inputs). */
const secretsRead = (job: Job) =>
  [...JSON.stringify({ env: job.env, steps: job.steps, with: job.with }).matchAll(/secrets\.(\w+)/g)].map((m) => m[1]);
const commands = (job: Job) => expandedSteps(job).flatMap((step) => (step.run ? [step.run] : []));
const terraformCommands = (job: Job, verb: string) =>
  commands(job)
    .flatMap((script) => script.split("\n"))
    .filter((line) => new RegExp(`^\\s*terraform\\b.*\\s${verb}\\b`).test(line));
const withoutPlanEnvironment = (name: string | undefined) => !!name && !name.endsWith("-plan");

describe("GitHub workflows: lint", () => {
  it("actionlint (1.7.x) rejects a misspelt key, so a pass means something", async () => {
    const misspelt =
      "on: push\njobs:\n  build:\n    runs-on: ubuntu-24.04\n    permisions: {}\n    steps:\n      - run: echo\n";
    expect((await lintWorkflow(misspelt)).map((finding) => finding.message).join("\n")).toContain(
      'unexpected key "permisions"',
    );
  });

  it.each(workflowFiles)("actionlint finds nothing in %s", async (file) => {
    expect(await lintWorkflow(workflowSource(file))).toEqual([]);
  });

  const shellcheckHere = hasShellcheck();
  if (!shellcheckHere && process.env.CI === "true") {
    it("has shellcheck (CI=true: required; .ci/run installs it)", () => {
      expect(shellcheckHere).toBe(true);
    });
  } else if (!shellcheckHere) {
    it.skip("shellcheck on every run: block (shellcheck is not installed: apt-get install shellcheck)", () =>
      undefined);
  } else {
    it("shellcheck reports an unquoted variable, so a pass means something", () => {
      expect(shellcheck("rm $FILE\n").map((finding) => finding.code)).toContain(2086);
    });

    it.each(runBlocks().map((block) => [block.where, block] as const))("shellcheck finds nothing in %s", (_, block) => {
      expect(block.shell).toBe("bash");
      expect(shellcheck(block.script)).toEqual([]);
    });
  }
});

describe("GitHub workflows", () => {
  it("exist: pull request review, plan-then-apply deploy, the daily fleet check, and organization mode's waves", () => {
    expect(workflowFiles).toEqual(["deploy.yml", "fleet-check.yml", "organization-deploy.yml", "pull-request.yml"]);
  });

  it("pin every third-party action by a 40-hex commit SHA with its version in a comment, one version per action", () => {
    const pins = new Map<string, Set<string>>();
    for (const [where, step] of everyStep().filter(([, step]) => thirdParty(step.uses))) {
      expect([where, step.uses]).toEqual([where, expect.stringMatching(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/)]);
      const [name, sha] = step.uses!.split("@");
      pins.set(name, (pins.get(name) ?? new Set()).add(sha));
    }
    for (const [name, shas] of pins) expect([name, shas.size]).toEqual([name, 1]);
    const sources = [...workflowFiles.map(workflowSource), ...actionNames.map(actionSource)].join("\n");
    for (const [name, shas] of pins)
      expect(sources).toMatch(new RegExp(`uses: ${name}@${[...shas][0]} # v\\d+\\.\\d+\\.\\d+\\n`));
  });

  it("use only local actions that exist, with the inputs they declare and every required one", () => {
    for (const [where, step] of everyStep()) {
      const local = localActionName(step.uses);
      if (!local) continue;
      expect([where, actionNames]).toEqual([where, expect.arrayContaining([local])]);
      const inputs = action(local).inputs ?? {};
      expect([where, Object.keys(step.with ?? {}).filter((key) => !(key in inputs))]).toEqual([where, []]);
      const missing = Object.entries(inputs).filter(([key, input]) => input.required && !(key in (step.with ?? {})));
      expect([where, missing]).toEqual([where, []]);
    }
  });

  it("run every action on node24 or as a composite", () => {
    for (const name of actionNames) expect(action(name).runs.using).toBe("composite");
    for (const [where, step] of everyStep().filter(([, step]) => step.uses?.startsWith("actions/setup-node@")))
      expect([where, step.with?.["node-version"]]).toEqual([where, "${{ env.NODE_VERSION }}"]);
    for (const file of workflowFiles)
      if (workflowSource(file).includes("actions/setup-node@")) expect(workflow(file).env?.NODE_VERSION).toBe("24");
  });

  it("put no expression into a run: block (values reach the shell through env, never by template)", () => {
    for (const block of runBlocks())
      expect([block.where, block.script]).not.toEqual([block.where, expect.stringContaining("${{")]);
  });

  it("set persist-credentials: false on every checkout", () => {
    const checkouts = everyStep().filter(([, step]) => step.uses?.startsWith("actions/checkout@"));
    expect(checkouts.length).toBeGreaterThan(0);
    for (const [where, step] of checkouts) expect([where, step.with?.["persist-credentials"]]).toEqual([where, false]);
  });

  it.each(workflowFiles)(
    "%s: read-only default permissions, widened per job to id-token or pull-requests only",
    (file) => {
      const { permissions, jobs } = workflow(file);
      expect(permissions).toEqual({ contents: "read" });
      for (const job of Object.values(jobs))
        for (const [scope, level] of Object.entries(job.permissions ?? {}))
          if (level === "write") expect(["id-token", "pull-requests"]).toContain(scope);
    },
  );

  it("take AWS credentials from OIDC only, never long-lived keys", () => {
    for (const [where, step] of everyStep().filter(([, step]) =>
      step.uses?.startsWith("aws-actions/configure-aws-credentials@"),
    )) {
      // A session's length (organization-deploy.yml's long jobs) is allowed; keys are not.
      const inputs = Object.keys(step.with ?? {}).filter((input) => input !== "role-duration-seconds");
      expect([where, inputs.sort()]).toEqual([where, ["aws-region", "role-session-name", "role-to-assume"]]);
    }
    for (const [file, id, job] of allJobs()) {
      const assumesRole = (job.steps ?? []).some((step) =>
        step.uses?.startsWith("aws-actions/configure-aws-credentials@"),
      );
      if (assumesRole) expect([file, id, job.permissions?.["id-token"]]).toEqual([file, id, "write"]);
      expect(JSON.stringify(job)).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-access-key-id/);
    }
  });

  it("call no reusable workflow and inherit no secrets: every secret is read by the job of its GitHub environment", () => {
    for (const [file, id, job] of allJobs()) {
      expect([file, id, job.uses, job.secrets]).toEqual([file, id, undefined, undefined]);
      if (secretsRead(job).length > 0) expect([file, id, environmentOf(job)]).toEqual([file, id, expect.any(String)]);
    }
    for (const file of workflowFiles) expect(JSON.stringify(workflow(file).env ?? {})).not.toContain("secrets.");
  });

  it("install, synthesize and run no project code in a job holding a deploy environment and an OIDC token", () => {
    const deployJobs = allJobs().filter(
      ([, , job]) => job.permissions?.["id-token"] === "write" && withoutPlanEnvironment(environmentOf(job)),
    );
    expect(deployJobs.map(([file, id]) => `${file} ${id}`)).toEqual([
      "deploy.yml apply-dev",
      "deploy.yml apply-staging",
      "deploy.yml apply-prod",
      "organization-deploy.yml apply-sandbox",
      "organization-deploy.yml apply-non-prod",
      "organization-deploy.yml apply-prod",
    ]);
    const allowed = [
      "actions/checkout@",
      "hashicorp/setup-terraform@",
      "actions/download-artifact@",
      "aws-actions/configure-aws-credentials@",
    ];
    for (const [file, id, job] of deployJobs) {
      for (const step of expandedSteps(job)) {
        if (step.uses && !localActionName(step.uses))
          expect([id, allowed.some((prefix) => step.uses!.startsWith(prefix))]).toEqual([id, true]);
        if (step.uses?.startsWith("actions/checkout@")) expect(step.with?.["sparse-checkout"]).toBe(".github/actions");
        for (const line of (step.run ?? "").split("\n"))
          expect([file, id, line]).not.toEqual([
            file,
            id,
            expect.stringMatching(
              /\b(npm|npx|node|yarn|pnpm|pip|cdktf|apt-get)\b|scripts\/|\.ci\/|\.\/[\w-]+\.(sh|js|ts)/,
            ),
          ]);
      }
    }
  });

  it("apply only saved plans, with -lock-timeout, and plan with -lock=false (a read-only role takes no lock)", () => {
    for (const [file, id, job] of allJobs()) {
      for (const line of terraformCommands(job, "apply")) {
        expect([file, id, line]).toEqual([file, id, expect.stringMatching(/ -lock-timeout=\d+m\b.* tfplan$/)]);
        expect(line).not.toMatch(/auto-approve|-destroy|-replace/);
      }
      for (const line of terraformCommands(job, "plan"))
        expect([file, id, line]).toEqual([file, id, expect.stringMatching(/ -lock=false .*-out=tfplan$/)]);
      expect(commands(job).join("\n")).not.toMatch(/cdktf (deploy|apply|destroy)/);
    }
  });
});

describe("deploy.yml: plan once, review it, apply exactly that", () => {
  const { jobs, on } = workflow("deploy.yml");
  const environments = Object.keys(jobs)
    .filter((id) => id.startsWith("plan-"))
    .map((id) => id.slice("plan-".length));

  it("runs on merge to main only", () => {
    expect(on).toEqual({ push: { branches: ["main"] } });
  });

  it("plans and applies environment by environment: each plan waits for the previous environment's apply", () => {
    expect(Object.keys(jobs)).toEqual(environments.flatMap((env) => [`plan-${env}`, `apply-${env}`]));
    environments.forEach((env, i) => {
      expect(jobs[`plan-${env}`].needs).toEqual(i === 0 ? undefined : `apply-${environments[i - 1]}`);
      expect(jobs[`apply-${env}`].needs).toBe(`plan-${env}`);
    });
  });

  it.each(["dev", "staging", "prod"])(
    "%s: the plan job holds the plan environment, the apply job the deploy one",
    (env) => {
      const plan = jobs[`plan-${env}`];
      const apply = jobs[`apply-${env}`];
      expect([environmentOf(plan), environmentOf(apply)]).toEqual([`${env}-plan`, env]);
      const role = (job: Job) =>
        job.steps?.find((step) => step.uses?.startsWith("aws-actions/configure-aws-credentials@"))?.with?.[
          "role-to-assume"
        ];
      expect(role(plan)).toBe(`\${{ vars.AWS_PLAN_ROLE_ARN_${env.toUpperCase()} }}`);
      expect(role(apply)).toBe(`\${{ vars.AWS_ROLE_ARN_${env.toUpperCase()} }}`);
      expect(secretsRead(plan).sort()).toEqual(["PLAN_ENCRYPTION_KEY", "TF_API_TOKEN_PLAN"]);
      expect(secretsRead(apply).sort()).toEqual(["PLAN_ENCRYPTION_KEY", "TF_API_TOKEN"]);
      for (const job of [plan, apply])
        expect(job.concurrency).toEqual({ group: `deploy-${env}`, "cancel-in-progress": false });
    },
  );

  it.each(["dev", "staging", "prod"])(
    "%s: the saved plan travels sealed, kept one day, and is applied as it was planned",
    (env) => {
      const plan = jobs[`plan-${env}`].steps!;
      const apply = jobs[`apply-${env}`].steps!;
      const index = (steps: Step[], test: (step: Step) => boolean) => {
        const i = steps.findIndex(test);
        expect(i).toBeGreaterThanOrEqual(0);
        return i;
      };
      const planned = index(plan, (s) => /plan -input=false -lock=false -out=tfplan/.test(s.run ?? ""));
      const reduced = index(plan, (s) => s.uses === "./.github/actions/reduce-plan");
      const reviewed = index(plan, (s) => /npm run review .*--plan/.test(s.run ?? ""));
      const sealed = index(plan, (s) => s.uses === "./.github/actions/seal-plan");
      const uploaded = index(plan, (s) => !!s.uses?.startsWith("actions/upload-artifact@"));
      expect([planned, reduced, reviewed, sealed, uploaded]).toEqual(
        [...[planned, reduced, reviewed, sealed, uploaded]].sort((a, b) => a - b),
      );
      expect(plan[reviewed].run).toContain('>> "$GITHUB_STEP_SUMMARY"');
      expect(plan[uploaded].with).toMatchObject({
        name: `saved-plan-${env}`,
        path: plan[sealed].with?.output,
        "retention-days": 1,
      });
      expect(plan.filter((s) => s.uses?.startsWith("actions/upload-artifact@"))).toHaveLength(1);

      const downloaded = index(apply, (s) => !!s.uses?.startsWith("actions/download-artifact@"));
      const opened = index(apply, (s) => s.uses === "./.github/actions/open-plan");
      const token = index(apply, (s) => s.uses === "./.github/actions/terraform-cloud-token");
      const applied = index(apply, (s) => / apply .* tfplan$/m.test(s.run ?? ""));
      expect([downloaded, opened, token, applied]).toEqual([downloaded, opened, token, applied].sort((a, b) => a - b));
      expect(apply[downloaded].with?.name).toBe(`saved-plan-${env}`);
      expect(`${apply[downloaded].with?.path}/saved-plan-${env}.tar.enc`).toBe(apply[opened].with?.bundle);
      expect(apply[opened].with?.["stack-dir"]).toBe("${{ env.STACK_DIR }}");
      expect(jobs[`apply-${env}`].env?.STACK_DIR).toBe(jobs[`plan-${env}`].env?.STACK_DIR);
      expect(apply[applied].run).toContain("init -input=false -lockfile=readonly");
    },
  );

  it("refuses a stack with local state before planning it", () => {
    for (const env of environments) {
      const steps = jobs[`plan-${env}`].steps!;
      const check = steps.findIndex((step) => step.uses === "./.github/actions/check-state-backend");
      expect(check).toBeGreaterThan(steps.findIndex((step) => step.run === "npm run synth"));
      expect(check).toBeLessThan(steps.findIndex((step) => (step.run ?? "").includes("terraform")));
      expect(steps[check].with).toEqual({ environment: env, severity: "error" });
    }
  });

  it("hands every backend override variable to each plan job's synth", () => {
    for (const env of environments)
      expect(Object.keys(jobs[`plan-${env}`].env ?? {})).toEqual(
        expect.arrayContaining(Object.values(BACKEND_VARIABLES)),
      );
  });
});

describe("pull-request.yml", () => {
  const { jobs } = workflow("pull-request.yml");
  const sameRepository = "${{ github.event.pull_request.head.repo.full_name == github.repository }}";

  it("plans with read-only plan roles in the pull-request-plan environment, never a deploy role or token", () => {
    const roles = jobs.plan.strategy!.matrix!.include!.map((entry) => entry.role);
    expect(roles).toEqual(["AWS_PLAN_ROLE_ARN_DEV", "AWS_PLAN_ROLE_ARN_STAGING", "AWS_PLAN_ROLE_ARN_PROD"]);
    expect(environmentOf(jobs.plan)).toBe("pull-request-plan");
    expect(secretsRead(jobs.plan)).toEqual(["TF_API_TOKEN_PLAN"]);
    for (const job of Object.values(jobs)) if (job !== jobs.plan) expect(secretsRead(job)).toEqual([]);
    expect(workflowSource("pull-request.yml")).not.toMatch(/AWS_ROLE_ARN_|PLAN_ENCRYPTION_KEY/);
  });

  it("uploads only the reduced plan JSON, kept one day", () => {
    const steps = jobs.plan.steps!;
    const reduce = steps.find((step) => step.uses === "./.github/actions/reduce-plan")!;
    const uploads = steps.filter((step) => step.uses?.startsWith("actions/upload-artifact@"));
    expect(uploads).toHaveLength(1);
    expect(uploads[0].with).toMatchObject({ path: reduce.with?.output, "retention-days": 1 });
    expect(steps.find((step) => step.run?.includes("show -json"))?.run).toContain(`> "$RUNNER_TEMP/plan-full.json"`);
    expect(reduce.with?.plan).toBe("${{ runner.temp }}/plan-full.json");
    expect(steps.indexOf(reduce)).toBeLessThan(steps.indexOf(uploads[0]));
  });

  it("keeps fork pull requests from the jobs that need repository credentials", () => {
    expect(jobs.plan.if).toBe(sameRepository);
    expect(jobs.comment.if).toBe(
      `\${{ !cancelled() && github.event.pull_request.head.repo.full_name == github.repository }}`,
    );
  });

  it("writes the comment from a job that checks out nothing and runs no pull-request code", () => {
    const writers = Object.entries(jobs).filter(([, job]) => job.permissions?.["pull-requests"] === "write");
    expect(writers.map(([id]) => id)).toEqual(["comment"]);
    expect(jobs.comment.permissions).toEqual({ "pull-requests": "write" });
    for (const step of jobs.comment.steps!) {
      expect(step.run).toBeUndefined();
      expect(step.uses).toMatch(/^actions\/(download-artifact|github-script)@/);
    }
    expect(jobs.comment.steps!.find((step) => step.uses?.startsWith("actions/download-artifact@"))?.with).toEqual({
      name: "review",
      path: "review",
    });
    expect(jobs.comment.needs).toEqual(["test", "plan", "review"]);
  });

  it("renders the review in a job without write access and hands over only its Markdown, kept one day", () => {
    expect(jobs.review.permissions).toBeUndefined();
    const upload = jobs.review.steps!.find((step) => step.uses?.startsWith("actions/upload-artifact@"));
    expect(upload?.with).toEqual({
      name: "review",
      path: "review.md",
      "if-no-files-found": "error",
      "retention-days": 1,
    });
    expect(commands(jobs.review).join("\n")).toContain("npm run review");
  });

  it("only warns when planning a stack with local state", () => {
    const steps = jobs.plan.steps!;
    expect(steps.find((step) => step.uses === "./.github/actions/check-state-backend")?.with?.severity).toBe("warning");
  });

  it("hands every backend override variable to the plan", () => {
    expect(Object.keys(jobs.plan.env ?? {})).toEqual(expect.arrayContaining(Object.values(BACKEND_VARIABLES)));
  });

  it("finds its comment by the review's own marker", () => {
    const script = String(
      jobs.comment.steps!.find((step) => step.uses?.startsWith("actions/github-script@"))?.with?.script,
    );
    expect(script).toContain(`const MARKER = "${REVIEW_MARKER}";`);
  });
});
