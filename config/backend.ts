import { Problems } from "../modules/validation";

/** Where an environment's Terraform state lives. */
export type BackendConfig =
  /** One state file per stack in the project's git-ignored terraform-state/ folder. */
  | { readonly type: "local" }
  | {
      readonly type: "cloud";
      /** Terraform Cloud / HCP Terraform organization. */
      readonly organization: string;
      /** Workspace name = prefix + environment name. @default "<project>-" */
      readonly workspacePrefix?: string;
      /** Terraform Cloud project of the workspace. @default the organization's default project */
      readonly project?: string;
      /** @default "app.terraform.io" */
      readonly hostname?: string;
    }
  | {
      readonly type: "s3";
      readonly bucket: string;
      /** Region of the bucket. */
      readonly region: string;
      /** State key = prefix + "<environment>/terraform.tfstate". @default "<project>/" */
      readonly keyPrefix?: string;
      /** KMS key for the state object. @default the bucket's default encryption (SSE-S3) */
      readonly kmsKeyId?: string;
    };

export type BackendType = BackendConfig["type"];

/** A backend with every name computed for one environment: what its stack declares. */
export type ResolvedBackend =
  | { readonly type: "local"; readonly path: string }
  | {
      readonly type: "cloud";
      readonly organization: string;
      readonly workspace: string;
      readonly project?: string;
      readonly hostname?: string;
    }
  | {
      readonly type: "s3";
      readonly bucket: string;
      readonly region: string;
      readonly key: string;
      readonly kmsKeyId?: string;
    };

/**
 * Environment variables that override every environment's backend (for CI). VSS_BACKEND switches the
 * type; the others set that type's fields.
 */
export const BACKEND_VARIABLES = {
  type: "VSS_BACKEND",
  organization: "VSS_TFC_ORGANIZATION",
  workspacePrefix: "VSS_TFC_WORKSPACE_PREFIX",
  project: "VSS_TFC_PROJECT",
  hostname: "VSS_TFC_HOSTNAME",
  bucket: "VSS_S3_BUCKET",
  region: "VSS_S3_REGION",
  keyPrefix: "VSS_S3_KEY_PREFIX",
  kmsKeyId: "VSS_S3_KMS_KEY_ID",
} as const;

export type Variables = Readonly<Record<string, string | undefined>>;

/** Local state directory, relative to the stack's working directory cdktf.out/stacks/<name>. */
export const LOCAL_STATE_DIRECTORY = "../../../terraform-state";

/** The configured backend with the override variables applied (the variables win). */
export function effectiveBackend(configured: BackendConfig | undefined, variables: Variables): BackendConfig {
  const base: Record<string, string | undefined> = { ...(configured ?? { type: "local" }) };
  const type = variables[BACKEND_VARIABLES.type] || base.type; // empty means unset, as CI often passes it
  const merged: Record<string, string | undefined> = type === base.type ? { ...base } : { type };
  for (const [field, variable] of Object.entries(BACKEND_VARIABLES)) {
    if (field !== "type" && variables[variable] !== undefined && variables[variable] !== "")
      merged[field] = variables[variable];
  }
  return merged as unknown as BackendConfig;
}

export function resolveBackend(project: string, environment: string, backend: BackendConfig): ResolvedBackend {
  switch (backend.type) {
    case "cloud":
      return {
        type: "cloud",
        organization: backend.organization,
        workspace: `${backend.workspacePrefix ?? `${project}-`}${environment}`,
        project: backend.project,
        hostname: backend.hostname,
      };
    case "s3":
      return {
        type: "s3",
        bucket: backend.bucket,
        region: backend.region,
        key: `${backend.keyPrefix ?? `${project}/`}${environment}/terraform.tfstate`,
        kmsKeyId: backend.kmsKeyId,
      };
    default:
      return { type: "local", path: `${LOCAL_STATE_DIRECTORY}/${environment}.tfstate` };
  }
}

const WORKSPACE = /^[A-Za-z0-9_-]{1,90}$/;
const ORGANIZATION = /^[A-Za-z0-9_-]{3,40}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d+$/;

/** Problems of a backend; the message of a missing field names the variable that can set it. */
export function backendProblems(backend: BackendConfig, resolved: ResolvedBackend): Problems {
  const problems = new Problems();
  const fromVariable = (field: keyof typeof BACKEND_VARIABLES) => `(or set ${BACKEND_VARIABLES[field]})`;
  switch (resolved.type) {
    case "local":
      if (backend.type !== "local")
        problems.add(
          "type",
          `${JSON.stringify((backend as { type: unknown }).type)} is not a backend, allowed: "local", "cloud" or "s3" ${fromVariable("type")}`,
        );
      break;
    case "cloud":
      if (!resolved.organization || !ORGANIZATION.test(resolved.organization)) {
        problems.add(
          "organization",
          `${JSON.stringify(resolved.organization ?? "")} is not an organization name, allowed: 3-40 of A-Z a-z 0-9 - _ ${fromVariable("organization")}`,
        );
      }
      if (!WORKSPACE.test(resolved.workspace))
        problems.add(
          "workspacePrefix",
          `makes workspace ${JSON.stringify(resolved.workspace)}, allowed: 1-90 of A-Z a-z 0-9 - _ ${fromVariable("workspacePrefix")}`,
        );
      break;
    case "s3":
      if (!resolved.bucket || !BUCKET.test(resolved.bucket))
        problems.add(
          "bucket",
          `${JSON.stringify(resolved.bucket ?? "")} is not a bucket name, allowed: 3-63 of a-z 0-9 . - ${fromVariable("bucket")}`,
        );
      if (!resolved.region || !REGION.test(resolved.region))
        problems.add(
          "region",
          `${JSON.stringify(resolved.region ?? "")} is not an AWS region, allowed: a region code such as eu-west-1 ${fromVariable("region")}`,
        );
      break;
  }
  return problems;
}
