import { regionProblem } from "../modules/regions";
import { Problems, s3BucketNameProblem } from "../modules/validation";

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
const TFC_PROJECT = /^[A-Za-z0-9 _-]{3,40}$/;
// A DNS name with an optional port, as Terraform's cloud block takes it: no scheme, no path.
const HOSTNAME =
  /^(?=.{1,253}(:|$))([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:\d{1,5})?$/i;
// What the S3 backend's kms_key_id takes: a key id, a multi-Region key id, an alias name, or their ARNs.
const KMS_KEY_ID =
  /^(arn:aws:kms:[a-z0-9-]+:\d{12}:(key\/)?)?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const KMS_ALIAS = /^(arn:aws:kms:[a-z0-9-]+:\d{12}:)?alias\/[A-Za-z0-9/_-]{1,250}$/;

/** Problems of a backend; the message of a missing field names the variable that can set it. */
export function backendProblems(backend: BackendConfig, resolved: ResolvedBackend): Problems {
  const problems = new Problems();
  const orSet = (field: keyof typeof BACKEND_VARIABLES) => `(or set ${BACKEND_VARIABLES[field]})`;
  const shown = (value: string | undefined) => JSON.stringify(value ?? "");
  switch (resolved.type) {
    case "local":
      if (backend.type !== "local") {
        const type = shown((backend as { type: string }).type);
        problems.add("type", `${type} is not a backend, allowed: "local", "cloud" or "s3" ${orSet("type")}`);
      }
      break;
    case "cloud":
      if (!resolved.organization || !ORGANIZATION.test(resolved.organization)) {
        const allowed = `allowed: 3-40 of A-Z a-z 0-9 - _ ${orSet("organization")}`;
        problems.add("organization", `${shown(resolved.organization)} is not an organization name, ${allowed}`);
      }
      if (!WORKSPACE.test(resolved.workspace)) {
        const allowed = `allowed: 1-90 of A-Z a-z 0-9 - _ ${orSet("workspacePrefix")}`;
        problems.add("workspacePrefix", `makes workspace ${shown(resolved.workspace)}, ${allowed}`);
      }
      if (resolved.project !== undefined && !TFC_PROJECT.test(resolved.project)) {
        problems.add(
          "project",
          `${shown(resolved.project)} is not a project name, allowed: 3-40 of A-Z a-z 0-9 space - _ ${orSet("project")}`,
        );
      }
      if (resolved.hostname !== undefined && !HOSTNAME.test(resolved.hostname)) {
        const allowed = `allowed: a host name such as app.terraform.io or tfe.example.com, without https:// or a path ${orSet("hostname")}`;
        problems.add("hostname", `${shown(resolved.hostname)} is not a host name, ${allowed}`);
      }
      break;
    case "s3": {
      const bucketProblem = resolved.bucket ? s3BucketNameProblem(resolved.bucket) : `"" is not a bucket name`;
      if (bucketProblem) problems.add("bucket", `${bucketProblem} ${orSet("bucket")}`);
      const region = resolved.region
        ? regionProblem(resolved.region)
        : `"" is not a region, allowed: a region such as eu-west-1`;
      if (region) problems.add("region", `${region} ${orSet("region")}`);
      const prefix = (backend as { keyPrefix?: string }).keyPrefix;
      if (prefix !== undefined && (prefix.startsWith("/") || prefix.includes("//"))) {
        const allowed = `allowed: a prefix like "team/backups/", without a leading '/' or '//' ${orSet("keyPrefix")}`;
        problems.add(
          "keyPrefix",
          `${shown(prefix)} makes the state key ${shown(resolved.key)}, which terraform init refuses; ${allowed}`,
        );
      }
      const key = resolved.kmsKeyId;
      if (key !== undefined && !KMS_KEY_ID.test(key) && !KMS_ALIAS.test(key)) {
        const allowed = `allowed: a KMS key id, multi-Region key id (mrk-...), alias/<name>, or the ARN of one ${orSet("kmsKeyId")}`;
        problems.add("kmsKeyId", `${shown(key)} is not a KMS key id, ${allowed}`);
      }
      break;
    }
  }
  return problems;
}

/** The fields of each backend type, by the variables that set them. */
const VARIABLES_OF: Record<BackendType, readonly (keyof typeof BACKEND_VARIABLES)[]> = {
  local: [],
  cloud: ["organization", "workspacePrefix", "project", "hostname"],
  s3: ["bucket", "region", "keyPrefix", "kmsKeyId"],
};

/** Variables set for a backend other than `type`: ignored, which their author likely did not mean. */
export function ignoredBackendVariables(type: BackendType, variables: Variables): string[] {
  return (Object.keys(VARIABLES_OF) as BackendType[])
    .filter((other) => other !== type)
    .flatMap((other) => VARIABLES_OF[other].map((field) => BACKEND_VARIABLES[field]))
    .filter((variable) => variables[variable] !== undefined && variables[variable] !== "");
}
