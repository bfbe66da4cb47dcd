import { TerraformStack } from "cdktf";

/**
 * A stack that refers to nothing in another stack: each of the project's stacks is built from its
 * own configuration alone. cdktf prepares every stack for synthesis by resolving all of its resources
 * once more, only to find references to other stacks' resources (for which it adds an output there
 * and remote state here); that pass writes nothing else, and costs a fifth of synthesis. These stacks
 * skip it and keep the rest of the preparation (the default local backend).
 */
export abstract class SelfContainedStack extends TerraformStack {
  override prepareStack(): void {
    this.ensureBackendExists();
  }
}
