// Entry point of `npm run deploy:wave -- plan|apply --wave <name> [--parallel N]`: the real processes,
// folder and streams, and the waves of the organization's configuration.
import { readAccountsFile } from "../config/accounts-file";
import { organization } from "../config/organization";
import { loadOrganization } from "../config/organization-load";
import { main, realRunner, waveEnvironment, waveSource, WaveSource } from "./wave-deploy";

/** The configured waves and their member stacks; none when organization mode is off. */
function configuredWaves(): WaveSource {
  if (!organization) return waveSource([], []);
  const { members } = loadOrganization(organization, readAccountsFile(), { now: new Date(), variables: process.env });
  return waveSource(organization.waves, members);
}

let waves: WaveSource;
try {
  waves = configuredWaves();
} catch (error) {
  // A configuration mistake, not a crash: the message lists every problem.
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}

main(process.argv.slice(2), {
  run: realRunner,
  waves,
  cwd: process.cwd(),
  env: waveEnvironment(process.env),
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  now: new Date(),
}).then(
  (code) => (process.exitCode = code),
  (error) => {
    console.error(`deploy:wave failed unexpectedly: ${error instanceof Error ? error.stack : String(error)}`);
    process.exitCode = 2;
  },
);
