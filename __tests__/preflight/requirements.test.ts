// What preflight expects of an instance role is what the VssInstanceRole construct grants, in both
// policy modes, and what it expects of the backup side (vaults, locks, the alert rule) is what the
// stack deploys: read from the synthesized construct or stack, never from preflight's own derivation.
import { BackupVault } from "@cdktf/provider-aws/lib/backup-vault";
import { BackupVaultLockConfiguration } from "@cdktf/provider-aws/lib/backup-vault-lock-configuration";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { Testing } from "cdktf";
import type { ResolvedEnvironment } from "../../config/resolve";
import { VssInstanceRole, VssPolicyMode } from "../../modules";
import { expectedAlertRules, expectedVaults, roleRequirements, simulationContext } from "../../preflight/requirements";
import { VssBackupStack } from "../../stacks/vss-backup-stack";
import { MANAGED_POLICY_STATEMENTS } from "../support/mock-fleet";
import { prodMember } from "../support/organization-stack-fixtures";
import { DEV, PROD, STAGING } from "../support/preflight-fixtures";
import { addressOf, referencedPolicyDocument, resources, synthesize, synthesizeStack } from "../synth";

interface EmittedStatement {
  readonly actions?: string[];
  readonly resources?: string[];
  readonly condition?: { readonly variable: string; readonly values: string[] }[];
}

/** What the synthesized construct grants: the policies' names and ARNs, and every statement in effect. */
function granted(mode: VssPolicyMode) {
  const stack = synthesize((scope) => new VssInstanceRole(scope, "role", { roleName: "fleet-vss", policyMode: mode }));
  const inline = resources(stack, "aws_iam_role_policy").map((p) => ({
    name: p.name as string,
    statements: referencedPolicyDocument(stack, p.policy).statement as EmittedStatement[],
  }));
  const attachedArns = resources(stack, "aws_iam_role_policy_attachment").map((a) => a.policy_arn as string);
  // The construct attaches AWS's managed policies by ARN only: their statements are as modules documents them.
  const statements = [
    ...attachedArns.flatMap((arn) => MANAGED_POLICY_STATEMENTS[arn] as EmittedStatement[]),
    ...inline.flatMap((p) => p.statements),
  ];
  return { inlineNames: inline.map((p) => p.name), attachedArns, statements };
}

const sorted = (values: Iterable<string>) => [...new Set(values)].sort();
const actionsOf = (statements: readonly EmittedStatement[]) => sorted(statements.flatMap((s) => s.actions ?? []));
const contextKeysOf = (statements: readonly EmittedStatement[]) =>
  sorted(
    statements.flatMap((s) =>
      (s.condition ?? []).flatMap((c) => [
        c.variable,
        ...c.values.flatMap((v) => [...v.matchAll(/\{([^}]+)\}/g)].map((m) => m[1])),
      ]),
    ),
  );
/** Per action, the kinds of EC2 resources its statements name; actions on "*" alone are left out. */
function resourceKindsOf(statements: readonly EmittedStatement[]): Record<string, string[]> {
  const kinds: Record<string, Set<string>> = {};
  for (const s of statements)
    for (const action of s.actions ?? [])
      for (const resource of s.resources ?? []) {
        const kind = /^arn:aws:ec2:\*:\*:(\w+)\//.exec(resource)?.[1];
        if (kind) (kinds[action] ??= new Set()).add(kind);
      }
  return Object.fromEntries(Object.entries(kinds).map(([action, set]) => [action, sorted(set)]));
}

describe.each<VssPolicyMode>(["managed", "inline"])("in the %s policy mode", (mode) => {
  let role: ReturnType<typeof granted>;
  let requirements: ReturnType<typeof roleRequirements>;
  beforeEach(() => {
    role = granted(mode);
    requirements = roleRequirements(mode);
  });

  it("preflight requires exactly the actions the construct grants", () => {
    expect(sorted(requirements.actions)).toEqual(actionsOf(role.statements));
  });

  it("preflight simulates exactly the context keys the granted statements read", () => {
    expect(sorted(requirements.contextKeys)).toEqual(contextKeysOf(role.statements));
    expect(() => simulationContext(requirements.contextKeys, { id: "i-1", arn: "arn" })).not.toThrow();
  });

  it("preflight judges each action on exactly the kinds of resources the granted statements name", () => {
    const required = Object.fromEntries(
      Object.entries(requirements.resourcesTouched).map(([action, kinds]) => [action, sorted(kinds)]),
    );
    expect(required).toEqual(resourceKindsOf(role.statements));
  });

  it("preflight looks for the policies the construct puts on the role", () => {
    if (mode === "managed") expect(requirements.grants.map((g) => g.managedPolicyArn)).toEqual(role.attachedArns);
    else expect(requirements.grants.map((g) => g.inlinePolicyName)).toEqual(role.inlineNames);
  });
});

describe("what the construct grants, spelled out", () => {
  it("inline: the AWS Backup path only, no snapshots of volumes", () => {
    const { statements, inlineNames } = granted("inline");
    expect(inlineNames).toEqual(["SsmManagedInstanceCore", "VssSnapshotsForAwsBackup"]);
    expect(resourceKindsOf(statements)).toEqual({
      "ec2:DescribeInstanceAttribute": ["instance"],
      "ec2:CreateImage": ["image", "instance", "snapshot"],
      "ec2:CreateTags": ["image"],
    });
    expect(contextKeysOf(statements)).toEqual([
      "aws:RequestTag/AwsVssConfig",
      "aws:TagKeys",
      "ec2:CreateAction",
      "ec2:InstanceId",
      "ec2:ResourceTag/AwsVssConfig",
      "ec2:SourceInstanceARN",
    ]);
  });

  it("managed: AWS's two managed policies, whose VSS half also snapshots volumes", () => {
    const { statements, attachedArns } = granted("managed");
    expect(attachedArns).toEqual([
      "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
      "arn:aws:iam::aws:policy/AWSEC2VssSnapshotPolicy",
    ]);
    expect(resourceKindsOf(statements)).toEqual({
      "ec2:DescribeInstanceAttribute": ["instance"],
      "ec2:CreateSnapshots": ["instance", "snapshot", "volume"],
      "ec2:CreateImage": ["image", "instance", "snapshot"],
      "ec2:CreateTags": ["image", "snapshot"],
    });
  });
});

/**
 * What the synthesized stack deploys on the backup side, read from its JSON: each vault with its
 * region (by its provider) and lock, and the alert rule with the ARN its target sends to.
 */
function deployed(env: ResolvedEnvironment) {
  const stack = synthesizeStack(new VssBackupStack(Testing.app(), env));
  const providers = stack.provider!.aws;
  const regionOf = (provider: unknown) =>
    (provider === undefined
      ? providers.find((p) => p.alias === undefined)
      : providers.find((p) => `aws.${p.alias}` === provider))!.region as string;
  const vaults = stack.resource![BackupVault.tfResourceType];
  const locks = resources(stack, BackupVaultLockConfiguration);
  // The environment's own vault (on the default provider) first, as preflight lists them.
  const vaultList = Object.entries(vaults)
    .sort(([, a], [, b]) => Number(a.provider !== undefined) - Number(b.provider !== undefined))
    .map(([id, vault]) => {
      const lock = locks.find((l) => addressOf(l.backup_vault_name) === `${BackupVault.tfResourceType}.${id}`);
      return {
        name: vault.name,
        region: regionOf(vault.provider),
        lock: lock && {
          mode: lock.changeable_for_days === undefined ? "governance" : "compliance",
          minRetentionDays: lock.min_retention_days,
          maxRetentionDays: lock.max_retention_days,
          ...(lock.changeable_for_days === undefined ? {} : { changeableForDays: lock.changeable_for_days }),
        },
      };
    });
  const targets = resources(stack, CloudwatchEventTarget);
  const topics = stack.resource![SnsTopic.tfResourceType] ?? {};
  const account = (providers[0].allowed_account_ids as string[])[0];
  const alertRules = Object.entries(stack.resource![CloudwatchEventRule.tfResourceType] ?? {}).map(([id, rule]) => {
    const target = targets.find((t) => addressOf(t.rule) === `${CloudwatchEventRule.tfResourceType}.${id}`)!;
    // A topic the stack creates gets the ARN AWS gives a topic of its name; an existing one (or a member's central bus) is named by its ARN.
    const created = typeof target.arn === "string" && target.arn.startsWith("${");
    const targetArn = created
      ? `arn:aws:sns:${regionOf(rule.provider)}:${account}:${topics[addressOf(target.arn).split(".")[1]].name}`
      : target.arn;
    return { name: rule.name, state: rule.state, region: regionOf(rule.provider), targetArn };
  });
  return { vaults: vaultList, alertRules };
}

describe.each([
  ["dev", DEV],
  ["staging", STAGING],
  ["prod", PROD],
  ["a member stack of organization mode", prodMember("eu-west-1")],
])("the backup side of %s: what preflight expects is what the stack deploys", (_, env) => {
  let stack: ReturnType<typeof deployed>;
  beforeEach(() => (stack = deployed(env)));

  it("the same vaults in the same regions, with the same locks", () => {
    const expected = expectedVaults(env).map((v) => ({
      name: v.name,
      region: v.region,
      lock: v.lock && {
        mode: v.lock.mode,
        minRetentionDays: v.lock.minRetentionDays,
        maxRetentionDays: v.lock.maxRetentionDays,
        ...(v.lock.mode === "compliance" ? { changeableForDays: v.lock.changeableForDays } : {}),
      },
    }));
    expect(expected).toEqual(stack.vaults);
  });

  it("the same alert rules, enabled, in the same region, sending to the same target", () => {
    const byName = (a: { name: unknown }, b: { name: unknown }) => String(a.name).localeCompare(String(b.name));
    const expected = expectedAlertRules(env).map(({ reports: _, ...rule }) => ({ ...rule, state: "ENABLED" }));
    expect([...stack.alertRules].sort(byName)).toEqual(expected.sort(byName));
  });
});

describe("the backup side the stacks deploy, spelled out", () => {
  it("prod: a compliance lock on its vault, a governance lock of the copies' 90 days on the DR vault in eu-west-1", () => {
    expect(deployed(PROD).vaults).toEqual([
      {
        name: "vss-backup-prod",
        region: "eu-central-1",
        lock: { mode: "compliance", minRetentionDays: 7, maxRetentionDays: 400, changeableForDays: 3 },
      },
      {
        name: "vss-backup-prod-dr",
        region: "eu-west-1",
        lock: { mode: "governance", minRetentionDays: 90, maxRetentionDays: 90 },
      },
    ]);
  });

  it("staging: alerts to the existing topic it names", () => {
    expect(deployed(STAGING).alertRules).toEqual([
      {
        name: "vss-backup-staging-backup-alerts",
        state: "ENABLED",
        region: "eu-west-1",
        targetArn: "arn:aws:sns:eu-west-1:222222222222:ops-alerts",
      },
    ]);
  });

  it("a member stack: its rule sends to the organization's central bus in the management account, not to a topic of its own", () => {
    expect(expectedAlertRules(prodMember("us-east-1"))).toEqual([
      {
        reports: "backups",
        name: "vss-backup-prod-fleet-backup-alerts",
        region: "us-east-1",
        targetArn: "arn:aws:events:eu-west-1:123456789012:event-bus/vss-backup-alerts",
      },
    ]);
  });

  it("prod: with restore testing, a second rule for failed restore tests beside the backup jobs' rule, to the same topic", () => {
    expect(expectedAlertRules(PROD)).toEqual([
      {
        reports: "backups",
        name: "vss-backup-prod-backup-alerts",
        region: "eu-central-1",
        targetArn: "arn:aws:sns:eu-central-1:333333333333:vss-backup-prod-backup-alerts",
      },
      {
        reports: "restoreTests",
        name: "vss-backup-prod-backup-alerts-restore-tests",
        region: "eu-central-1",
        targetArn: "arn:aws:sns:eu-central-1:333333333333:vss-backup-prod-backup-alerts",
      },
    ]);
  });
});
