import { Testing } from "cdktf";
import { mkdirSync, rmSync } from "fs";
import { join, resolve } from "path";
import type { EnvironmentConfig, ProjectConfig } from "../../config/types";
import { loadEnvironments } from "../../config/validate";
import type { StackJson } from "../../review/posture";
import { buildApp } from "../../stacks/app";
import { VssBackupStack } from "../../stacks/vss-backup-stack";
import { NOW } from "../support/clock";
import { PLAIN_PROJECT } from "../support/fixtures";

/** The review tests' project: the tests' own configuration without protection settings (tests add them), never config/environments.ts. */
export const REVIEW_CONFIG: ProjectConfig = PLAIN_PROJECT;

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
