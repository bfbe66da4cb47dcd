// Benchmark row for `npm run bench` (run by scripts/bench.js through scripts/run.js): preflight over a
// mocked 2,000-instance, 20-role fleet. Prints one JSON line: wall time and API calls per service.
import { generatedRoles, generateFleet, mockAccount } from "../__tests__/support/mock-fleet";
import { config } from "../config/environments";
import { loadEnvironments } from "../config/validate";
import { main } from "../preflight/cli";

const INSTANCES = 2000;
const ROLES = 20;

async function bench() {
  const now = new Date();
  const [env] = loadEnvironments(config, { only: config.environments[0].name, now });
  const account = mockAccount(
    env,
    { account: env.account, instances: generateFleet(INSTANCES, ROLES), roles: generatedRoles(ROLES) },
    now,
  );
  let output = "";
  try {
    const started = process.hrtime.bigint();
    await main(["--env", env.name, "--json"], {
      clients: account.clients,
      stdout: (text) => (output = text),
      stderr: () => undefined,
      isTty: false,
      now,
    });
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    const report = JSON.parse(output);
    console.log(
      JSON.stringify({ instances: report.summary.instances, roles: ROLES, wallMs, callsPerService: report.apiCalls }),
    );
  } finally {
    account.restore();
  }
}

bench().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
