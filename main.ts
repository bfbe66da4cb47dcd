import { config } from "./config/environments";
import { configurationWarnings, ENVIRONMENTS_VARIABLE, loadEnvironments } from "./config/validate";
import { ValidationError } from "./modules/validation";
import { buildApp } from "./stacks/app";

try {
  const environments = loadEnvironments(config, {
    only: process.env[ENVIRONMENTS_VARIABLE],
    variables: process.env,
    now: new Date(),
  });
  // Under the cdktf CLI (which sets CDKTF_OUTDIR) the same warnings reach the user from the plans' annotations.
  if (process.env.CDKTF_OUTDIR === undefined) {
    for (const warning of configurationWarnings(environments))
      console.error(`Warning: ${warning.path}: ${warning.message}`);
  }
  buildApp(environments).synth();
} catch (error) {
  if (!(error instanceof ValidationError)) throw error;
  // A configuration mistake, not a crash: the message lists every problem, no stack trace.
  console.error(error.message);
  process.exitCode = 1;
}
