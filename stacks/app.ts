import { App, AppConfig } from "cdktf";
import type { ResolvedManagement } from "../config/organization-types";
import type { ResolvedEnvironment } from "../config/resolve";
import { SYNTHESIS_TIME_CONTEXT } from "../modules";
import { ManagementStack } from "./management-stack";
import { VssBackupStack } from "./vss-backup-stack";

/**
 * One stack per environment, named after it, in one cdktf App. `now` is the time the constructs
 * judge their props at (whether a schedule still fires). @default the wall clock
 * In organization mode, `environments` are the member stacks (ResolvedMember) and `management` the
 * management stack. @default no management stack
 */
export function buildApp(
  environments: readonly ResolvedEnvironment[],
  appConfig: AppConfig = {},
  now?: Date,
  management?: ResolvedManagement,
): App {
  const context = now ? { ...appConfig.context, [SYNTHESIS_TIME_CONTEXT]: now.toISOString() } : appConfig.context;
  const app = new ProjectApp({ ...appConfig, context });
  // cdktf 0.21 stacks read only SYNTH_HCL_OUTPUT (what `cdktf synth --hcl` sets), not AppConfig.hclOutput.
  const hclVariable = process.env.SYNTH_HCL_OUTPUT;
  if (app.hclOutput) process.env.SYNTH_HCL_OUTPUT = "true";
  try {
    withoutTokenTraces(() => {
      if (management) new ManagementStack(app, management);
      for (const env of environments) new VssBackupStack(app, env);
    });
  } finally {
    if (hclVariable === undefined) delete process.env.SYNTH_HCL_OUTPUT;
    else process.env.SYNTH_HCL_OUTPUT = hclVariable;
  }
  return app;
}

/** The app, whose synthesis (which creates tokens of its own while it resolves) records no token traces either. */
class ProjectApp extends App {
  override synth(): void {
    withoutTokenTraces(() => super.synth());
  }
}

/**
 * Runs `work` without the stack trace cdktf records for every token it creates, only to show where a
 * token was made if it fails to resolve: it walks the whole call stack each time (cdktf lifts the
 * depth limit) and formats it, over a third of synthesis time. cdktf keeps its traces on plain
 * objects: those are skipped, and their trace is empty, as cdktf's own code handles. Errors keep
 * their traces (the project's validation errors, any Error that captures its own): V8 records them
 * natively, and formats them when they are read, after this.
 */
function withoutTokenTraces(work: () => void): void {
  const { prepareStackTrace, captureStackTrace } = Error;
  Error.prepareStackTrace = () => "";
  Error.captureStackTrace = (target, below) => {
    if (target instanceof Error) captureStackTrace(target, below);
  };
  try {
    work();
  } finally {
    Error.prepareStackTrace = prepareStackTrace;
    Error.captureStackTrace = captureStackTrace;
  }
}
