// Entry point of `npm run deploy:wave -- plan|apply --wave <name> [--parallel N]`: the real processes,
// folder and streams, and the waves of the organization's configuration.
import { main, realRunner, waveEnvironment, WaveSource } from "./wave-deploy";

// Wired at integration: waveSource(organization.waves, resolvedOrganization.members), from
// config/organization.ts and config/accounts.json. Until then no wave is configured.
const waves: WaveSource = { waves: [], stacksOf: () => new Set() };

main(process.argv.slice(2), {
  run: realRunner,
  waves,
  cwd: process.cwd(),
  env: waveEnvironment(process.env),
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
}).then(
  (code) => (process.exitCode = code),
  (error) => {
    console.error(`deploy:wave failed unexpectedly: ${error instanceof Error ? error.stack : String(error)}`);
    process.exitCode = 2;
  },
);
