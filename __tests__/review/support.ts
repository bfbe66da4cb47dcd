import { Testing } from "cdktf";
import { mkdirSync, rmSync } from "fs";
import { join, resolve } from "path";
import type { EnvironmentConfig, ProjectConfig } from "../../config/types";
import { loadEnvironments } from "../../config/validate";
import { BackupRules } from "../../modules/backup-plan";
import type { StackJson } from "../../review/posture";
import { buildApp } from "../../stacks/app";
import { VssBackupStack } from "../../stacks/vss-backup-stack";
import { NOW } from "../support/clock";

/** The review tests' own project: editing config/environments.ts never changes what they expect. */
export const REVIEW_CONFIG: ProjectConfig = {
  project: "vss-backup",
  environments: [
    {
      name: "dev",
      account: "111111111111",
      region: "eu-west-1",
      plan: { rules: [BackupRules.daily({ keepDays: 7 })] },
    },
    {
      name: "staging",
      account: "222222222222",
      region: "eu-west-1",
      plan: { rules: [BackupRules.daily({ keepDays: 14 }), BackupRules.weekly({ keepDays: 35 })] },
      instanceRole: { policyMode: "inline" },
    },
    {
      name: "prod",
      account: "333333333333",
      region: "eu-central-1",
      plan: {
        rules: [
          BackupRules.daily({ keepDays: 35, atHour: 1, timezone: "Europe/Berlin" }),
          BackupRules.weekly({ keepDays: 90, atHour: 2, timezone: "Europe/Berlin" }),
          BackupRules.monthly({ keepDays: 365, atHour: 3, timezone: "Europe/Berlin" }),
        ],
      },
    },
  ],
};

/** REVIEW_CONFIG with one environment changed. */
export function withChange(name: string, change: Partial<EnvironmentConfig>): ProjectConfig {
  return {
    ...REVIEW_CONFIG,
    environments: REVIEW_CONFIG.environments.map((env) => (env.name === name ? { ...env, ...change } : env)),
  };
}

/** The synthesized JSON of one environment of `config`. */
export function synthesized(name: string, config: ProjectConfig = REVIEW_CONFIG): StackJson {
  const [env] = loadEnvironments(config, { only: name, now: NOW });
  return JSON.parse(Testing.synth(new VssBackupStack(Testing.app(), env)));
}

/** Scratch folders of the review tests, under the git-ignored .cache/. */
const SCRATCH = resolve(__dirname, "..", "..", ".cache", "review-tests");

/** An empty folder under SCRATCH. */
export function freshDir(name: string): string {
  const dir = join(SCRATCH, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Synthesizes `config` (all its environments, or `only` them) as `cdktf synth` does: manifest.json and stacks/. */
export function synthesizeApp(config: ProjectConfig, outdir: string, only?: string): void {
  buildApp(loadEnvironments(config, { only, now: NOW }), { outdir }).synth();
}
