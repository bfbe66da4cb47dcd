import { BackupSelection } from "@cdktf/provider-aws/lib/backup-selection";
import { Construct } from "constructs";
import type { VssBackupPlan } from "./backup-plan";
import type { IBackupServiceRole } from "./backup-service-role";
import { SelectionTag, selectionTagProblems, tagCondition } from "./selection-tag";
import { BACKUP_NAME, Problems, throwIfAny, under } from "./validation";

/** Every EC2 instance; the tag condition then narrows it (AND). */
export const ALL_EC2_INSTANCES = "arn:aws:ec2:*:*:instance/*";

/** What a selection needs besides the plan it belongs to (see `VssBackupPlan.addSelection`). */
export interface VssBackupSelectionOptions {
  /** 1-50 of A-Z a-z 0-9 - _ . */
  readonly name: string;
  /** Role AWS Backup assumes for these resources. */
  readonly serviceRole: IBackupServiceRole;
  /** Instances carrying this tag are backed up. */
  readonly tag: SelectionTag;
}

export interface VssBackupSelectionProps extends VssBackupSelectionOptions {
  readonly plan: VssBackupPlan;
}

/** Problems of everything but the tag, which its owner checks once for both sides. */
export function vssBackupSelectionProblems(props: Pick<VssBackupSelectionProps, "name">): Problems {
  const problems = new Problems();
  problems.checkName("name", props.name, BACKUP_NAME);
  return problems;
}

/**
 * Selects EC2 instances (only instances: `resources` AND the tag condition) for a plan.
 *
 * Not `selection_tag`: AWS ORs it with `resources`, and tag-only selection would also pick up EBS
 * volumes carrying the tag and back them up a second time without VSS. All conditions stay in one
 * `condition` block (several blocks misbehave, terraform-provider-aws issue 38114). Every argument
 * of a selection forces replacement.
 */
export class VssBackupSelection extends Construct {
  readonly selectionId: string;
  /** The tag that selects the instances. */
  readonly tag: SelectionTag;

  constructor(scope: Construct, id: string, props: VssBackupSelectionProps) {
    super(scope, id);
    throwIfAny(`VssBackupSelection ${this.node.path}`, [
      ...vssBackupSelectionProblems(props).all,
      ...under("tag", selectionTagProblems(props.tag).all),
    ]);
    const selection = new BackupSelection(this, "selection", {
      name: props.name,
      planId: props.plan.planId,
      iamRoleArn: props.serviceRole.roleArn,
      resources: [ALL_EC2_INSTANCES],
      condition: [{ stringEquals: [tagCondition(props.tag)] }],
    });
    this.selectionId = selection.id;
    this.tag = props.tag;
  }
}
