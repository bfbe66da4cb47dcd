import { App, AppConfig } from "cdktf";
import type { ResolvedEnvironment } from "../config/resolve";
import { VssBackupStack } from "./vss-backup-stack";

/** One stack per environment, named after it, in one cdktf App. */
export function buildApp(environments: readonly ResolvedEnvironment[], appConfig: AppConfig = {}): App {
  const app = new App(appConfig);
  // cdktf 0.21 stacks read only SYNTH_HCL_OUTPUT (what `cdktf synth --hcl` sets), not AppConfig.hclOutput.
  const hclVariable = process.env.SYNTH_HCL_OUTPUT;
  if (app.hclOutput) process.env.SYNTH_HCL_OUTPUT = "true";
  try {
    for (const env of environments) new VssBackupStack(app, env);
  } finally {
    if (hclVariable === undefined) delete process.env.SYNTH_HCL_OUTPUT;
    else process.env.SYNTH_HCL_OUTPUT = hclVariable;
  }
  return app;
}
