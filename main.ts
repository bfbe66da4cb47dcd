import { readAccountsFile } from "./config/accounts-file";
import { config } from "./config/environments";
import { organization } from "./config/organization";
import { loadStacks } from "./config/stacks";
import { configurationWarnings } from "./config/validate";
import { ValidationError } from "./modules/validation";
import { synthesize } from "./stacks/synthesize";

const variables = process.env;
const sources = {
  project: config,
  organization: organization && { config: organization, accounts: readAccountsFile },
};
// Under the cdktf CLI (which sets CDKTF_OUTDIR) the plans' own warnings reach the user as annotations.
const underCli = variables.CDKTF_OUTDIR !== undefined;
synthesize({
  // `now` is the app's one clock: the configuration and the constructs are judged at this time.
  load: (now) => loadStacks(sources, variables, now),
  loaded: ({ environments }) => {
    for (const warning of configurationWarnings(environments, variables)) {
      if (underCli && warning.path.includes(".plan.")) continue;
      console.error(`Warning: ${warning.path}: ${warning.message}`);
    }
  },
  variables,
}).catch((error: unknown) => {
  if (!(error instanceof ValidationError)) throw error;
  // A configuration mistake, not a crash: the message lists every problem, no stack trace.
  console.error(error.message);
  process.exitCode = 1;
});
