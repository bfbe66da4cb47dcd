import { config } from "./config/environments";
import { ENVIRONMENTS_VARIABLE, loadEnvironments } from "./config/validate";
import { ValidationError } from "./modules/validation";
import { buildApp } from "./stacks/app";

try {
  buildApp(loadEnvironments(config, process.env[ENVIRONMENTS_VARIABLE], process.env)).synth();
} catch (error) {
  if (!(error instanceof ValidationError)) throw error;
  // A configuration mistake, not a crash: the message lists every problem, no stack trace.
  console.error(error.message);
  process.exitCode = 1;
}
