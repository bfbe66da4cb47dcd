// The preflight tests' environments, one per policy mode, from the tests' own configuration, judged at the tests' clock.
import type { ProjectConfig } from "../../config/types";
import { loadEnvironments } from "../../config/validate";
import { NOW } from "./clock";
import { TEST_PROJECT } from "./fixtures";

export const PROJECT: ProjectConfig = TEST_PROJECT;

/** `dev` takes the managed policy mode, `staging` the inline one. */
export const [DEV, STAGING] = loadEnvironments(PROJECT, { only: "dev,staging", now: NOW });
