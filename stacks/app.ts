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
  const app = new App({ ...appConfig, context });
  // cdktf 0.21 stacks read only SYNTH_HCL_OUTPUT (what `cdktf synth --hcl` sets), not AppConfig.hclOutput.
  const hclVariable = process.env.SYNTH_HCL_OUTPUT;
  if (app.hclOutput) process.env.SYNTH_HCL_OUTPUT = "true";
  // cdktf records a full, formatted stack trace for every token it creates, only to show where a
  // token was made if it fails to resolve: a fifth of synthesis time. Errors of the project's own
  // (validation) carry their usual traces: V8 formats a trace when it is read, after this.
  const prepareStackTrace = Error.prepareStackTrace;
  Error.prepareStackTrace = () => "";
  try {
    if (management) new ManagementStack(app, management);
    for (const env of environments) new VssBackupStack(app, env);
  } finally {
    Error.prepareStackTrace = prepareStackTrace;
    if (hclVariable === undefined) delete process.env.SYNTH_HCL_OUTPUT;
    else process.env.SYNTH_HCL_OUTPUT = hclVariable;
  }
  return app;
}
