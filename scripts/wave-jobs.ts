/**
 * The two CI jobs of a wave (.github/workflows/organization-deploy.yml): the GitHub environment each
 * runs in, and the secret of that environment holding its Terraform Cloud token (the same secret names
 * as deploy.yml's). The plan's token needs plan permission only; the apply's, behind the reviewers'
 * gate, apply permission on the member stacks' workspaces.
 */
export const WAVE_JOBS = {
  plan: { environment: (wave: string) => `wave-${wave}-plan`, tokenSecret: "TF_API_TOKEN_PLAN" },
  apply: { environment: (wave: string) => `wave-${wave}`, tokenSecret: "TF_API_TOKEN" },
} as const;
