import { SsmAssociation } from "@cdktf/provider-aws/lib/ssm-association";
import { Construct } from "constructs";
import { associationScheduleProblem } from "./schedule";
import { SelectionTag, selectionTagProblems } from "./selection-tag";
import { regionProblem } from "./regions";
import {
  ASSOCIATION_NAME,
  compareVersions,
  Problems,
  s3BucketNameProblem,
  synthesisTime,
  throwIfAny,
  under,
} from "./validation";

/** AwsVssComponents versions that change what works (EC2 User Guide, VSS prerequisites and package management). */
export const AwsVssComponentsVersions = {
  /**
   * Both policy modes (AWSEC2VssSnapshotPolicy and its scoped-down inline form) allow images only
   * when they carry the AwsVssConfig tag, which the package adds from 2.3.1 on.
   */
  MINIMUM: "2.3.1",
  /** `In-place update` fails on earlier versions ("Use the Uninstall and reinstall option instead"). */
  IN_PLACE_UPDATE_MINIMUM: "2.5.0",
} as const;

/** `Uninstall and reinstall` works everywhere; `In-place update` needs SSM Agent 3.3.808.0+ and AwsVssComponents 2.5.0+. */
export type VssInstallationType = "Uninstall and reinstall" | "In-place update";
export type ComplianceSeverity = "CRITICAL" | "HIGH" | "MEDIUM" | "LOW" | "UNSPECIFIED";

export interface AssociationOutputLocation {
  readonly s3BucketName: string;
  /** @default none */
  readonly s3KeyPrefix?: string;
  /** @default the bucket's region as the provider resolves it */
  readonly s3Region?: string;
}

export interface VssComponentsAssociationProps {
  /** Association name. 3-128 of A-Z a-z 0-9 - _ . */
  readonly name: string;
  /** Instances carrying this tag get the package (the same tag the backup selection uses). */
  readonly tag: SelectionTag;
  /** @default "Uninstall and reinstall" */
  readonly installationType?: VssInstallationType;
  /** Pin a package version such as "2.5.1": 2.3.1 or later (2.5.0 or later with `In-place update`). @default the latest published version */
  readonly version?: string;
  /** Re-applies the package, so new and rebuilt instances get it. @default "rate(14 days)" */
  readonly scheduleExpression?: string;
  /** How many instances install at once: a number or a percentage, not 0. @default "10%" */
  readonly maxConcurrency?: string;
  /** Errors after which no further instance starts: a number or a percentage. @default "10%" */
  readonly maxErrors?: string;
  /** Severity of the compliance item when the install fails. @default "HIGH" */
  readonly complianceSeverity?: ComplianceSeverity;
  /** Where the install output goes. @default none (Run Command keeps the last 2,500 characters) */
  readonly outputLocation?: AssociationOutputLocation;
}

export const DEFAULT_ASSOCIATION_SCHEDULE = "rate(14 days)";

// The same patterns the SSM API enforces (MaxConcurrency forbids 0; MaxErrors allows it).
const MAX_CONCURRENCY = /^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$/;
const MAX_ERRORS = /^([1-9][0-9]*|0|[1-9][0-9]%|[0-9]%|100%)$/;
const PACKAGE_VERSION = /^\d+(\.\d+){1,3}$/;
const SEVERITIES: readonly ComplianceSeverity[] = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNSPECIFIED"];
const INSTALLATION_TYPES: readonly VssInstallationType[] = ["Uninstall and reinstall", "In-place update"];

/** Problems of everything but the tag, which its owner checks once for both sides. */
export function vssComponentsAssociationProblems(
  props: Omit<VssComponentsAssociationProps, "tag">,
  now: Date,
): Problems {
  const problems = new Problems();
  problems.checkName("name", props.name, ASSOCIATION_NAME);
  if (props.installationType !== undefined && !INSTALLATION_TYPES.includes(props.installationType)) {
    problems.add(
      "installationType",
      `${JSON.stringify(props.installationType)} is not allowed, allowed: ${INSTALLATION_TYPES.map((t) => JSON.stringify(t)).join(" or ")}`,
    );
  }
  const versionProblem =
    props.version !== undefined ? packageVersionProblem(props.version, props.installationType) : undefined;
  if (versionProblem) problems.add("version", versionProblem);
  const schedule =
    props.scheduleExpression !== undefined ? associationScheduleProblem(props.scheduleExpression, now) : undefined;
  if (schedule) problems.add("scheduleExpression", schedule);
  if (props.maxConcurrency !== undefined && !MAX_CONCURRENCY.test(props.maxConcurrency)) {
    problems.add(
      "maxConcurrency",
      `${JSON.stringify(props.maxConcurrency)} is not allowed, allowed: a number from 1 or a percentage from 1% to 100%`,
    );
  }
  if (props.maxErrors !== undefined && !MAX_ERRORS.test(props.maxErrors)) {
    problems.add(
      "maxErrors",
      `${JSON.stringify(props.maxErrors)} is not allowed, allowed: a number from 0 or a percentage from 0% to 100%`,
    );
  }
  if (props.complianceSeverity !== undefined && !SEVERITIES.includes(props.complianceSeverity)) {
    problems.add(
      "complianceSeverity",
      `${JSON.stringify(props.complianceSeverity)} is not allowed, allowed: ${SEVERITIES.join(", ")}`,
    );
  }
  const output = props.outputLocation;
  const bucketProblem = output && s3BucketNameProblem(output.s3BucketName);
  if (bucketProblem) problems.add("outputLocation.s3BucketName", bucketProblem);
  const outputRegionProblem = output?.s3Region !== undefined ? regionProblem(output.s3Region) : undefined;
  if (outputRegionProblem) problems.add("outputLocation.s3Region", outputRegionProblem);
  if (output?.s3KeyPrefix !== undefined && output.s3KeyPrefix.length > 500) {
    problems.add("outputLocation.s3KeyPrefix", `has ${output.s3KeyPrefix.length} characters, allowed: at most 500`);
  }
  return problems;
}

function packageVersionProblem(version: string, installationType: VssInstallationType | undefined): string | undefined {
  const latest = "or leave it out for the latest";
  if (!PACKAGE_VERSION.test(version))
    return `${JSON.stringify(version)} is not a package version, allowed: digits and dots such as "2.5.1", ${latest}`;
  if (compareVersions(version, AwsVssComponentsVersions.MINIMUM) < 0) {
    return `${JSON.stringify(version)} predates the AwsVssConfig tag the instance role's VSS policy requires (backups would fall back to crash-consistent), allowed: ${AwsVssComponentsVersions.MINIMUM} or later, ${latest}`;
  }
  if (
    installationType === "In-place update" &&
    compareVersions(version, AwsVssComponentsVersions.IN_PLACE_UPDATE_MINIMUM) < 0
  ) {
    return `${JSON.stringify(version)} cannot be updated in place (installationType "In-place update"), allowed: ${AwsVssComponentsVersions.IN_PLACE_UPDATE_MINIMUM} or later, ${latest}, or installationType "Uninstall and reinstall"`;
  }
  return undefined;
}

/**
 * A State Manager association that installs AwsVssComponents (document AWS-ConfigureAWSPackage) on
 * every instance carrying the tag, and re-applies it on a schedule. AWS Backup never installs it.
 */
export class VssComponentsAssociation extends Construct {
  readonly associationId: string;

  constructor(scope: Construct, id: string, props: VssComponentsAssociationProps) {
    super(scope, id);
    throwIfAny(`VssComponentsAssociation ${this.node.path}`, [
      ...vssComponentsAssociationProblems(props, synthesisTime(this)).all,
      ...under("tag", selectionTagProblems(props.tag).all),
    ]);
    const association = new SsmAssociation(this, "association", {
      name: "AWS-ConfigureAWSPackage",
      associationName: props.name,
      // Parameter names are case-sensitive: "action", not "Action".
      parameters: {
        action: "Install",
        name: "AwsVssComponents",
        installationType: props.installationType ?? "Uninstall and reinstall",
        ...(props.version ? { version: props.version } : {}),
      },
      targets: [{ key: `tag:${props.tag.key}`, values: [props.tag.value] }],
      scheduleExpression: props.scheduleExpression ?? DEFAULT_ASSOCIATION_SCHEDULE,
      maxConcurrency: props.maxConcurrency ?? "10%",
      maxErrors: props.maxErrors ?? "10%",
      complianceSeverity: props.complianceSeverity ?? "HIGH",
      outputLocation: props.outputLocation,
    });
    this.associationId = association.associationId;
  }
}
