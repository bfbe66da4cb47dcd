// Entry point of `npm run preflight` and the vss-preflight bin: the one place that reads the wall clock
// and the organization's files.
import { readAccountsFile } from "../config/accounts-file";
import { organization } from "../config/organization";
import { loadOrganization } from "../config/organization-load";
import { errorText } from "./aws";
import { main } from "./cli";
import { PreflightError } from "./run";

function organizationSource() {
  if (!organization)
    throw new PreflightError("organization mode is not configured: config/organization.ts exports no organization");
  try {
    return { config: organization, accounts: readAccountsFile(), loadOrganization };
  } catch (error) {
    throw new PreflightError(errorText(error));
  }
}

main(process.argv.slice(2), {
  now: new Date(),
  organization: organizationSource,
}).then(
  (code) => (process.exitCode = code),
  (error) => {
    console.error(`preflight failed unexpectedly: ${error instanceof Error ? error.stack : String(error)}`);
    process.exitCode = 2;
  },
);
