import { readAccountsFile } from "./config/accounts-file";
import { config } from "./config/environments";
import { organization } from "./config/organization";
import { loadStacks } from "./config/stacks";
import { configurationWarnings } from "./config/validate";
import { ValidationError } from "./modules/validation";
import { buildApp } from "./stacks/app";

// The app's one clock: the configuration and the constructs are judged at this time.
const now = new Date();
try {
  const variables = process.env;
  const sources = {
    project: config,
    organization: organization && { config: organization, accounts: readAccountsFile },
  };
  const { environments, management } = loadStacks(sources, variables, now);
  // Under the cdktf CLI (which sets CDKTF_OUTDIR) the plans' own warnings reach the user as annotations.
  const underCli = variables.CDKTF_OUTDIR !== undefined;
  for (const warning of configurationWarnings(environments, variables)) {
    if (underCli && warning.path.includes(".plan.")) continue;
    console.error(`Warning: ${warning.path}: ${warning.message}`);
  }
  buildApp(environments, {}, now, management).synth();
} catch (error) {
  if (!(error instanceof ValidationError)) throw error;
  // A configuration mistake, not a crash: the message lists every problem, no stack trace.
  console.error(error.message);
  process.exitCode = 1;
}
