// Benchmark row for `npm run bench` (run by scripts/bench.js through scripts/run.js): preflight
// --organization over 100 mocked accounts of 200 tagged instances each, 10 accounts at a time, and the
// single-environment preflight of one such account, whose calls are the budget of every account.
// Prints one JSON line: wall time, the budget, and the most calls any account cost per service.
import { main } from "../preflight/cli";
import type { Service } from "../preflight/aws";
import type { OrganizationReport } from "../preflight/organization";
import type { PreflightReport } from "../preflight/run";
import { generatedRoles, generateFleet, mockAccount } from "../__tests__/support/mock-fleet";
import { mockOrganization } from "../__tests__/support/mock-organization-fleet";
import {
  member,
  memberEnvironment,
  ORGANIZATION,
  organizationSource,
  PREFLIGHT_ROLE_NAME,
} from "../__tests__/support/organization-preflight-fixtures";

const ACCOUNTS = 100;
const INSTANCES = 200;
const ROLES = 4;
const CONCURRENCY = 10;

async function bench() {
  const now = new Date();
  const accounts = Array.from({ length: ACCOUNTS }, (_, n) => ({
    id: String(100000000000 + n),
    name: `workload-${n}`,
    ouPath: "Root/Workloads",
  }));
  const stacks = accounts.map((account) => {
    const env = member(account);
    return {
      env,
      spec: { account: account.id, instances: generateFleet(INSTANCES, ROLES), roles: generatedRoles(ROLES) },
    };
  });

  // The budget: the single-environment preflight of one account.
  const single = mockAccount(stacks[0].env, stacks[0].spec, now);
  let singleOutput = "";
  try {
    await main(["--env", stacks[0].env.name, "--json"], {
      config: {
        project: ORGANIZATION.project,
        environments: [memberEnvironment(accounts[0].id, stacks[0].env.region)],
      },
      clients: single.clients,
      stdout: (text) => (singleOutput = text),
      stderr: () => undefined,
      isTty: false,
      now,
    });
  } finally {
    single.restore();
  }
  const budget = (JSON.parse(singleOutput) as PreflightReport).apiCalls;

  const organization = mockOrganization({ preflightRoleName: PREFLIGHT_ROLE_NAME, members: stacks }, now);
  let output = "";
  let code: number;
  let wallMs: number;
  try {
    const started = process.hrtime.bigint();
    code = await main(["--organization", "--json", "--concurrency", String(CONCURRENCY)], {
      organization: () =>
        organizationSource(
          { organizationId: "o-bench", managementAccountId: "123456789012", organizationalUnits: [], accounts: [] },
          now,
          [{ members: stacks.map((s) => s.env) }],
        ),
      clients: organization.clients,
      stdout: (text) => (output = text),
      stderr: () => undefined,
      isTty: false,
      now,
    });
    wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  } finally {
    organization.restore();
  }
  const report = JSON.parse(output) as OrganizationReport;
  const services = Object.keys(budget) as Service[];
  const mostPerAccount = Object.fromEntries(
    services.map((s) => [s, Math.max(...report.accounts.map((a) => a.apiCalls[s]))]),
  ) as Record<Service, number>;
  console.log(
    JSON.stringify({
      accounts: report.summary.accounts,
      checked: report.summary.checked,
      instances: report.summary.instances,
      concurrency: CONCURRENCY,
      exitCode: code,
      wallMs,
      singleAccountBudget: budget,
      mostCallsPerAccount: mostPerAccount,
      withinBudget: services.every((s) => mostPerAccount[s] <= budget[s]),
    }),
  );
}

bench().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
