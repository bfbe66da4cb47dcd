import { NOW } from "../support/clock";
import { EC2Client, RunInstancesCommand, TerminateInstancesCommand, _InstanceType } from "@aws-sdk/client-ec2";
import { IAMClient } from "@aws-sdk/client-iam";
import { STSClient } from "@aws-sdk/client-sts";
import { instanceRoleNameOf, ManagedPolicies } from "../../modules";
import { main } from "../../preflight/cli";
import type { PreflightReport } from "../../preflight/run";
import { mockAccount } from "../support/mock-fleet";
import { amazonImages, createInstanceRole, removeInstanceRole } from "../support/moto-fleet";
import { DEV as env, PROJECT } from "../support/preflight-fixtures";
import { MotoServer, startMoto } from "../../scripts/terraform/moto";
import { terraformTier } from "../terraform/tier";

const tier = terraformTier("preflight against moto", ["moto_server"]);
jest.setTimeout(120_000);

const instanceRole = instanceRoleNameOf(env.instanceRole);
const tag = [{ Key: env.selectionTag.key, Value: env.selectionTag.value }];

/** IAM roles with their instance profiles, as a fleet has them; removed again in cleanup(). */
const roles: Record<string, readonly string[]> = {
  [instanceRole]: [ManagedPolicies.SSM_MANAGED_INSTANCE_CORE, ManagedPolicies.EC2_VSS_SNAPSHOT],
  "weak-role": [ManagedPolicies.SSM_MANAGED_INSTANCE_CORE],
};

tier.describe(
  "preflight against moto: EC2 instances and IAM from moto, SSM and AWS Backup mocked (moto lacks them)",
  () => {
    let moto: MotoServer;
    let ec2: EC2Client;
    let iam: IAMClient;
    const launched: Record<string, string> = {};
    let report: PreflightReport;
    let code: number;

    beforeAll(async () => {
      moto = await startMoto(env.account);
      const options = {
        endpoint: moto.endpoint,
        region: env.region,
        credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
      };
      ec2 = new EC2Client(options);
      iam = new IAMClient(options);
      for (const [role, policies] of Object.entries(roles)) await createInstanceRole(iam, role, policies);
      const { windows: windowsAmi, linux: linuxAmi } = await amazonImages(ec2);
      const run = async (name: string, ami: string, type: _InstanceType, profile?: string, tags = tag) => {
        const result = await ec2.send(
          new RunInstancesCommand({
            ImageId: ami,
            InstanceType: type,
            MinCount: 1,
            MaxCount: 1,
            IamInstanceProfile: profile ? { Name: profile } : undefined,
            TagSpecifications: [{ ResourceType: "instance", Tags: [...tags, { Key: "Name", Value: name }] }],
          }),
        );
        launched[name] = result.Instances![0].InstanceId!;
      };
      await run("ready", windowsAmi, "m5.large", instanceRole);
      await run("micro", windowsAmi, "t3.micro", instanceRole);
      await run("weak", windowsAmi, "m5.large", "weak-role");
      await run("no-profile", windowsAmi, "m5.large");
      await run("linux", linuxAmi, "m5.large", instanceRole);
      await run("untagged", windowsAmi, "m5.large", instanceRole, []);

      // SSM and AWS Backup answer from the mock, about the instances moto launched.
      const ssmFleet = Object.entries(launched).map(([name, id]) => ({
        id,
        tags: name === "untagged" ? { Name: name } : { [env.selectionTag.key]: env.selectionTag.value, Name: name },
        ssm: { ping: "Online", agent: "3.3.1142.0" },
      }));
      const account = mockAccount(env, { account: env.account, instances: ssmFleet }, NOW);
      account.mocks.ec2.restore();
      account.mocks.iam.restore();
      account.mocks.sts.restore();
      try {
        let output = "";
        code = await main(["--env", env.name, "--json"], {
          config: PROJECT,
          now: NOW,
          caller: { sleep: async () => undefined },
          clients: (region) => ({ ...account.clients(region), sts: new STSClient(options), ec2, iam }),
          stdout: (text) => (output = text),
          stderr: (text) => console.error(text),
          isTty: false,
        });
        report = JSON.parse(output);
      } finally {
        account.restore();
      }
    });

    afterAll(async () => {
      try {
        if (ec2 && Object.keys(launched).length > 0)
          await ec2.send(new TerminateInstancesCommand({ InstanceIds: Object.values(launched) }));
        for (const [role, policies] of Object.entries(roles)) if (iam) await removeInstanceRole(iam, role, policies);
      } finally {
        await moto?.stop();
      }
    });

    const checks = (name: string) => report.instances.find((i) => i.id === launched[name])!.checks;

    it("finds exactly the tagged instances, through DescribeInstances' tag filter", () => {
      const { untagged, ...tagged } = launched;
      expect(report.instances.map((i) => i.id).sort()).toEqual(Object.values(tagged).sort());
      expect(report.instances.map((i) => i.id)).not.toContain(untagged);
    });

    it("passes the instance with the right profile, type and platform", () => {
      expect(Object.values(checks("ready")).filter((c) => c.status !== "pass")).toEqual([]);
    });

    it("reads the role through the real instance profile and judges its attached policies", () => {
      expect(checks("ready").role.detail).toMatch(new RegExp(`^role ${instanceRole} allows what VSS needs`));
      expect(checks("weak").role).toMatchObject({
        status: "fail",
        detail: expect.stringMatching(/^role weak-role lacks/),
      });
    });

    it("fails the unsupported type, the Linux instance and the instance without a profile", () => {
      expect(checks("micro").type).toMatchObject({
        status: "fail",
        detail: "t3.micro is too small for VSS backups (AWS excludes it)",
      });
      expect(checks("linux").windows).toMatchObject({
        status: "fail",
        fix: `remove the tag: aws ec2 delete-tags --resources ${launched.linux} --tags Key=Backup`,
      });
      expect(checks("no-profile").role).toMatchObject({ status: "fail", detail: "no instance profile" });
      expect(code).toBe(1);
    });
  },
);
