import { Problems, ValidationError } from "../modules/validation";
import type { Variables } from "./backend";
import { loadOrganization } from "./organization-load";
import type { AccountsFile, OrganizationConfig, ResolvedManagement } from "./organization-types";
import type { ResolvedEnvironment } from "./resolve";
import type { ProjectConfig } from "./types";
import { ENVIRONMENTS_VARIABLE, loadEnvironments } from "./validate";

/** Names the organization's deploy wave to synthesize: only its member stacks. */
export const WAVE_VARIABLE = "VSS_WAVE";
/** Names an OU path ("Root/Workloads"): only the member stacks of its accounts and those below it. */
export const OU_VARIABLE = "VSS_OU";

/** The stacks the app builds: environments (hand-written and member stacks) and the management stack. */
export interface SelectedStacks {
  readonly environments: readonly ResolvedEnvironment[];
  readonly management?: ResolvedManagement;
}

export interface StackSources {
  readonly project: ProjectConfig;
  /** Organization mode, with the committed accounts file it reads. @default off */
  readonly organization?: { readonly config: OrganizationConfig; readonly accounts: () => AccountsFile };
}

/**
 * Validates everything (the hand-written environments and, in organization mode, the templates over
 * the accounts file, each against the other's names), then selects what `variables` ask for:
 * VSS_WAVE and VSS_OU only the member stacks of that wave or OU; VSS_ENVIRONMENTS the stacks it names
 * (environments, member stacks, the management stack); nothing set: every stack. Throws one
 * ValidationError listing every problem.
 */
export function loadStacks(sources: StackSources, variables: Variables, now: Date): SelectedStacks {
  if (!sources.organization) {
    for (const name of [WAVE_VARIABLE, OU_VARIABLE].filter((n) => variables[n]))
      throw new ValidationError("Invalid configuration", [
        {
          path: name,
          message: "is set, but organization mode is off (config/organization.ts exports no organization)",
        },
      ]);
    return {
      environments: loadEnvironments(sources.project, { variables, now, only: variables[ENVIRONMENTS_VARIABLE] }),
    };
  }
  const environments = loadEnvironments(sources.project, { variables, now });
  const wave = variables[WAVE_VARIABLE] || undefined;
  const ou = variables[OU_VARIABLE] || undefined;
  const org = loadOrganization(sources.organization.config, accountsOf(sources.organization), {
    now,
    variables,
    wave,
    ou,
    alongside: environments,
  });
  if (wave || ou) return { environments: org.members };

  const all = [...environments, ...org.members];
  const wanted = (variables[ENVIRONMENTS_VARIABLE] ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  if (wanted.length === 0) return { environments: all, management: org.management };
  const known = new Set([...all.map((env) => env.name), org.management.name]);
  const problems = new Problems();
  for (const name of wanted.filter((w) => !known.has(w)))
    problems.add(
      name,
      `unknown stack (named in ${ENVIRONMENTS_VARIABLE}); known: the environments ${environments.map((e) => e.name).join(", ")}, ${org.management.name} and the member stacks (npm run synth lists them)`,
    );
  if (problems.all.length > 0) throw new ValidationError("Invalid configuration", problems.all);
  return {
    environments: all.filter((env) => wanted.includes(env.name)),
    management: wanted.includes(org.management.name) ? org.management : undefined,
  };
}

function accountsOf(organization: NonNullable<StackSources["organization"]>): AccountsFile {
  try {
    return organization.accounts();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ValidationError("Invalid organization configuration", [{ path: "accounts", message }]);
  }
}
