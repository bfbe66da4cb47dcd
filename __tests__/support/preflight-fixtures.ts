// The preflight tests' environments, one per policy mode, from the tests' own configuration, judged at the tests' clock.
import type { ProjectConfig } from "../../config/types";
import { loadEnvironments } from "../../config/validate";
import { NOW } from "./clock";
import { TEST_PROJECT } from "./fixtures";

export const PROJECT: ProjectConfig = TEST_PROJECT;

/**
 * `dev` takes the managed policy mode and the defaults (a governance lock, alerts to a topic it
 * creates), `staging` the inline one and alerts to an existing topic, `prod` a compliance lock and a DR vault.
 */
export const [DEV, STAGING, PROD] = loadEnvironments(PROJECT, { only: "dev,staging,prod", now: NOW });
