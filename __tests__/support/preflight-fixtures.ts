// The preflight tests' own project: two environments, one per policy mode, judged at the tests' clock.
import type { ProjectConfig } from "../../config/types";
import { loadEnvironments } from "../../config/validate";
import { BackupRules } from "../../modules";
import { NOW } from "./clock";

export const PROJECT: ProjectConfig = {
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
      plan: { rules: [BackupRules.daily({ keepDays: 14 })] },
      instanceRole: { policyMode: "inline" },
    },
  ],
};

/** `dev` takes the managed policy mode, `staging` the inline one. */
export const [DEV, STAGING] = loadEnvironments(PROJECT, { now: NOW });
