// How deploy:wave hands a Terraform Cloud / HCP Terraform token to the Terraform of the member stacks
// that keep their state there: as TF_TOKEN_<host> in that Terraform's environment only, never in the
// configuration (stacks/backend.ts writes no token). The bash twin is .github/actions/terraform-cloud-token.

/** The variable deploy:wave takes the token from (in CI, the job's secret). */
export const TOKEN_VARIABLE = "TF_API_TOKEN";
/** Terraform Cloud's host when a cloud block names none. */
export const DEFAULT_HOST = "app.terraform.io";

/** The variable Terraform reads a host's token from: TF_TOKEN_<host>, each '-' as '__' and each '.' as '_'. */
export const tokenVariable = (host: string) => `TF_TOKEN_${host.replace(/-/g, "__").replace(/\./g, "_")}`;

/** The host of a synthesized stack's cloud block, or undefined when the stack keeps its state elsewhere. */
export function cloudHost(stack: unknown): string | undefined {
  const cloud = (stack as { terraform?: { cloud?: { hostname?: string } } } | null)?.terraform?.cloud;
  return cloud === undefined ? undefined : (cloud.hostname ?? DEFAULT_HOST);
}

export interface CloudStack {
  readonly name: string;
  /** The stack's host (cloudHost), or undefined when it keeps its state elsewhere. */
  readonly host: string | undefined;
}

/**
 * The variables each stack's Terraform gets: TF_TOKEN_<host> = the token of TF_API_TOKEN for a stack in
 * Terraform Cloud, nothing for the others. Without TF_API_TOKEN, a TF_TOKEN_<host> already in `env` (set
 * by hand) is Terraform's own. `problem` says which stacks in Terraform Cloud would have no token, and
 * where the job's token belongs (`job`: the secret and its GitHub environment).
 */
export function cloudTokens(
  stacks: readonly CloudStack[],
  env: NodeJS.ProcessEnv,
  job: { readonly tokenSecret: string; readonly environment: string },
): { readonly variables: ReadonlyMap<string, Readonly<Record<string, string>>>; readonly problem?: string } {
  const token = env[TOKEN_VARIABLE];
  const variables = new Map<string, Record<string, string>>();
  const missing: string[] = [];
  const hosts = new Set<string>();
  for (const { name, host } of stacks) {
    if (host === undefined) continue;
    const variable = tokenVariable(host);
    if (token) variables.set(name, { [variable]: token });
    else if (!env[variable]) {
      missing.push(name);
      hosts.add(host);
    }
  }
  if (missing.length === 0) return { variables };
  const variablesByHand = [...hosts].map(tokenVariable).join(", ");
  return {
    variables,
    problem: `Terraform Cloud keeps the state of ${missing.join(", ")} (${[...hosts].join(", ")}), but ${TOKEN_VARIABLE} is empty: set the secret ${job.tokenSecret} in the GitHub environment ${job.environment} (by hand: export ${TOKEN_VARIABLE}, or ${variablesByHand})`,
  };
}
