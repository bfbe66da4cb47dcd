import { loadStacks, StackSources } from "../../config/stacks";
import type { ProjectConfig } from "../../config/types";
import { ValidationError } from "../../modules";
import { NOW } from "../support/clock";
import { PLAIN_PROJECT, TEST_PROJECT } from "../support/fixtures";
import { ORG_ACCOUNTS, ORG_CONFIG } from "../support/organization-fixtures";

// The environments in accounts of their own: the organization's checks against clashes are the loader's tests.
const PROJECT: ProjectConfig = {
  ...PLAIN_PROJECT,
  environments: PLAIN_PROJECT.environments.map((env, i) => ({ ...env, account: `55555555555${i}` })),
};
const withOrganization = { project: PROJECT, organization: { config: ORG_CONFIG, accounts: () => ORG_ACCOUNTS } };
const namesOf = (variables: Record<string, string>, sources: StackSources = withOrganization) => {
  const { environments, management } = loadStacks(sources, variables, NOW);
  return { environments: environments.map((env) => env.name), management: management?.name };
};
const problemsOf = (variables: Record<string, string>, sources: Parameters<typeof loadStacks>[0]) => {
  try {
    loadStacks(sources, variables, NOW);
  } catch (error) {
    if (error instanceof ValidationError) return error.problems;
    throw error;
  }
  throw new Error("no ValidationError");
};

describe("loadStacks: what the app builds", () => {
  it("without organization mode: the environments, VSS_ENVIRONMENTS choosing among them", () => {
    expect(namesOf({}, { project: TEST_PROJECT })).toEqual({ environments: ["dev", "staging", "prod"] });
    expect(namesOf({ VSS_ENVIRONMENTS: "prod" }, { project: TEST_PROJECT })).toEqual({ environments: ["prod"] });
  });

  it("refuses VSS_WAVE and VSS_OU without organization mode: a typo would otherwise deploy every environment", () => {
    expect(problemsOf({ VSS_WAVE: "prod", VSS_OU: "Root/Prod" }, { project: TEST_PROJECT })).toEqual([
      {
        path: "VSS_WAVE",
        message: "is set, but organization mode is off (config/organization.ts exports no organization)",
      },
    ]);
  });

  it("with organization mode: the environments, every member stack and the management stack", () => {
    expect(namesOf({})).toEqual({
      environments: [
        "dev",
        "staging",
        "prod",
        "a111111111111-eu-west-1",
        "a111111111111-eu-central-1",
        "a111111111112-eu-west-1",
        "a111111111112-eu-central-1",
        "a222222222221-us-east-1",
        "a333333333331-eu-west-1",
        "a444444444441-us-east-1",
      ],
      management: "acme-management",
    });
  });

  it("VSS_WAVE: only that wave's member stacks, no environment, no management stack", () => {
    expect(namesOf({ VSS_WAVE: "prod" })).toEqual({
      environments: ["a222222222221-us-east-1", "a333333333331-eu-west-1", "a444444444441-us-east-1"],
      management: undefined,
    });
  });

  it("VSS_OU: only the member stacks of accounts in that OU or below it", () => {
    expect(namesOf({ VSS_OU: "Root/Dev/Team" })).toEqual({
      environments: ["a111111111112-eu-west-1", "a111111111112-eu-central-1"],
      management: undefined,
    });
  });

  it("VSS_ENVIRONMENTS names any stack: an environment, a member stack, the management stack", () => {
    expect(namesOf({ VSS_ENVIRONMENTS: "staging, a333333333331-eu-west-1,acme-management" })).toEqual({
      environments: ["staging", "a333333333331-eu-west-1"],
      management: "acme-management",
    });
  });

  it("names an unknown stack in VSS_ENVIRONMENTS, saying what is known", () => {
    expect(problemsOf({ VSS_ENVIRONMENTS: "dev,a999999999999-eu-west-1" }, withOrganization)).toEqual([
      {
        path: "a999999999999-eu-west-1",
        message:
          "unknown stack (named in VSS_ENVIRONMENTS); known: the environments dev, staging, prod, acme-management and the member stacks (npm run synth lists them)",
      },
    ]);
  });

  it("reports an accounts file that cannot be read as a configuration problem, with the fix", () => {
    const unreadable = {
      project: TEST_PROJECT,
      organization: {
        config: ORG_CONFIG,
        accounts: () => {
          throw new Error("cannot read config/accounts.json (ENOENT); write it with npm run accounts -- sync");
        },
      },
    };
    expect(problemsOf({}, unreadable)).toEqual([
      {
        path: "accounts",
        message: "cannot read config/accounts.json (ENOENT); write it with npm run accounts -- sync",
      },
    ]);
  });
});
