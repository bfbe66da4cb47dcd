import { CloudBackend, LocalBackend, NamedCloudWorkspace, S3Backend, TerraformStack } from "cdktf";
import type { ResolvedBackend } from "../config/backend";

/**
 * cdktf 0.21 leaves a named workspace's project out of the HCL form (`cdktf synth --hcl`); this one
 * writes it to both forms.
 */
class ProjectWorkspace extends NamedCloudWorkspace {
  toHclTerraform(): Record<string, unknown> {
    const hcl = super.toHclTerraform() as Record<string, unknown>;
    return this.project
      ? { ...hcl, project: { value: this.project, type: "simple", storageClassType: "string" } }
      : hcl;
  }
}

/** Declares where the stack's state lives. Credentials never go into the configuration. */
export function declareBackend(stack: TerraformStack, backend: ResolvedBackend): void {
  switch (backend.type) {
    case "local":
      // A relative path: cdktf's default is an absolute path of the machine that synthesized.
      new LocalBackend(stack, { path: backend.path });
      return;
    case "cloud":
      // No `token` option: it would be written into cdk.tf.json. Terraform reads TF_TOKEN_<host>.
      new CloudBackend(stack, {
        organization: backend.organization,
        hostname: backend.hostname,
        workspaces: new ProjectWorkspace(backend.workspace, backend.project),
      });
      return;
    case "s3":
      new S3Backend(stack, {
        bucket: backend.bucket,
        key: backend.key,
        region: backend.region,
        encrypt: true,
        kmsKeyId: backend.kmsKeyId,
      });
      // S3-native locking (Terraform 1.10+); cdktf 0.21's S3BackendConfig has no field for it, and
      // DynamoDB locking is deprecated since Terraform 1.11.
      stack.addOverride("terraform.backend.s3.use_lockfile", true);
      return;
  }
}
