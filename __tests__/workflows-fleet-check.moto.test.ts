// The daily fleet check's command, exactly as the generated workflow runs it, through preflight/cli.ts
// main, against moto's EC2 and IAM with SSM and AWS Backup mocked (moto lacks them): the JSON it
// uploads is a valid report, its exit code fails the job exactly when an instance is not ready, and
// the summary step renders that JSON.
import { EC2Client, RunInstancesCommand, TerminateInstancesCommand, _InstanceType } from "@aws-sdk/client-ec2";
import { IAMClient } from "@aws-sdk/client-iam";
import { STSClient } from "@aws-sdk/client-sts";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
// preflight/cli.ts reads config/environments.ts itself: the environment's account, region and role come from there too.
import { config } from "../config/environments";
import { loadEnvironments } from "../config/validate";
import { instanceRoleNameOf, ManagedPolicies } from "../modules";
import { main } from "../preflight/cli";
import type { PreflightReport } from "../preflight/run";
import { mockAccount } from "./support/mock-fleet";
import {
  amazonImages,
  createInstanceRole,
  motoClientOptions,
  MotoClientOptions,
  removeInstanceRole,
} from "./support/moto-fleet";
import { MotoServer, startMoto } from "../scripts/terraform/moto";
import { NOW } from "./support/clock";
import { runAction, workflow } from "./support/workflows";
import { terraformTier } from "./terraform/tier";

const tier = terraformTier("fleet check against moto", ["moto_server"]);
jest.setTimeout(120_000);

const ENV = config.environments[0].name;
const [env] = loadEnvironments(config, { only: ENV, now: NOW });
const role = instanceRoleNameOf(env.instanceRole);
const policies = [ManagedPolicies.SSM_MANAGED_INSTANCE_CORE, ManagedPolicies.EC2_VSS_SNAPSHOT];

/** The preflight's arguments exactly as the generated workflow's step writes them. */
function workflowArguments(): string[] {
  const step = workflow("fleet-check.yml").jobs[`preflight-${ENV}`].steps!.find((s) => s.id === "preflight")!;
  const line = step.run!.split("\n").find((l) => l.includes("npm run preflight"))!;
  const match = /npm run preflight --silent -- (.*?) > (\S+) \|\| status=\$\?$/.exec(line.trim());
  expect(match).not.toBeNull();
  return match![1].split(/\s+/);
}

tier.describe("the fleet check's preflight command against moto (EC2 and IAM), SSM and AWS Backup mocked", () => {
  let moto: MotoServer;
  let ec2: EC2Client;
  let iam: IAMClient;
  let options: MotoClientOptions;
  let windowsAmi: string;
  const launched: string[] = [];
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "fleet-check-"));
    moto = await startMoto(env.account);
    options = motoClientOptions(moto.endpoint, env.region);
    ec2 = new EC2Client(options);
    iam = new IAMClient(options);
    await createInstanceRole(iam, role, policies);
    windowsAmi = (await amazonImages(ec2)).windows;
  });

  afterAll(async () => {
    try {
      if (ec2 && launched.length > 0) await ec2.send(new TerminateInstancesCommand({ InstanceIds: launched }));
      if (iam) await removeInstanceRole(iam, role, policies);
    } finally {
      await moto?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });

  const launch = async (type: _InstanceType) => {
    const result = await ec2.send(
      new RunInstancesCommand({
        ImageId: windowsAmi,
        InstanceType: type,
        MinCount: 1,
        MaxCount: 1,
        IamInstanceProfile: { Name: role },
        TagSpecifications: [
          { ResourceType: "instance", Tags: [{ Key: env.selectionTag.key, Value: env.selectionTag.value }] },
        ],
      }),
    );
    launched.push(result.Instances![0].InstanceId!);
  };

  /** Runs the workflow's command line; returns what the step would write to the JSON file, and the exit code. */
  const fleetCheck = async () => {
    const ssmFleet = launched.map((id) => ({ id, ssm: { ping: "Online", agent: "3.3.1142.0" } }));
    const now = new Date();
    const account = mockAccount(
      env,
      { account: env.account, instances: ssmFleet, associationRunAt: new Date(now.getTime() + 60_000) },
      now,
    );
    account.mocks.ec2.restore();
    account.mocks.iam.restore();
    account.mocks.sts.restore();
    let stdout = "";
    try {
      const code = await main(workflowArguments(), {
        // The environment's EC2, IAM and STS from moto; SSM, AWS Backup and EventBridge (in any region) mocked.
        clients: (region) => ({ ...account.clients(region), sts: new STSClient(options), ec2, iam }),
        stdout: (text) => (stdout += `${text}\n`),
        stderr: () => undefined,
        isTty: false,
        now,
        config,
      });
      return { code, stdout };
    } finally {
      account.restore();
    }
  };

  const summaryOf = (json: string, code: number) => {
    writeFileSync(join(dir, "report.json"), json);
    return runAction("preflight-summary", { report: "report.json", "exit-code": String(code) }, { cwd: dir }).summary;
  };

  it("runs `--env dev --json`, as the generated workflow writes it", () => {
    expect(workflowArguments()).toEqual(["--env", ENV, "--json"]);
  });

  it("exits 0 with a valid JSON report when every tagged instance is ready", async () => {
    await launch("m5.large");
    const { code, stdout } = await fleetCheck();
    const report = JSON.parse(stdout) as PreflightReport;
    expect(report).toMatchObject({ environment: ENV, account: env.account, region: env.region });
    expect(report.instances.map((i) => i.id)).toEqual(launched);
    expect(report.summary).toMatchObject({ instances: 1, ready: 1, notReady: 0 });
    expect(code).toBe(0);
    expect(summaryOf(stdout, code)).toContain("**READY");
  });

  it("exits 1 (the job fails, GitHub notifies) with a valid JSON report when an instance is not ready", async () => {
    await launch("t3.micro");
    const { code, stdout } = await fleetCheck();
    const report = JSON.parse(stdout) as PreflightReport;
    expect(report.summary).toMatchObject({ instances: 2, ready: 1, notReady: 1, status: "fail" });
    expect(code).toBe(1);
    const summary = summaryOf(stdout, code);
    expect(summary).toContain("**NOT READY**: 2 instances, 1 ready, 0 with warnings, 1 not ready (exit code 1)");
    expect(summary).toContain("t3.micro is too small for VSS backups");
  });
});
