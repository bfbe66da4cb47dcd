import { BackupReportPlan } from "@cdktf/provider-aws/lib/backup-report-plan";
import { Construct } from "constructs";
import { AUDIT_NAME } from "./audit-framework";
import type { VssAuditFramework } from "./audit-framework";
import { Problems, s3BucketNameProblem, throwIfAny } from "./validation";

/** The formats AWS Backup writes a report in (ReportDeliveryChannel.Formats). */
export const REPORT_FORMATS = ["CSV", "JSON"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/**
 * What the report holds.
 * - CONTROL_COMPLIANCE_REPORT (the default where a framework exists): each control of the framework,
 *   COMPLIANT or NON_COMPLIANT, with the resources that fail it. It is the audit's evidence, one file
 *   a day in the bucket the auditors read, and what a platform engineer checks after a change to the
 *   vault, the lock or the plan; the alerts already report each failed or crash-consistent job as it
 *   happens.
 * - BACKUP_JOB_REPORT: every backup job of the last 24 hours with its state and AWS's status message
 *   (a COMPLETED job with a message is the VSS fallback), for a team that wants the job history in
 *   its data lake. It needs no framework.
 */
export type ReportContent =
  | { readonly template: "CONTROL_COMPLIANCE_REPORT"; readonly frameworks: readonly VssAuditFramework[] }
  | { readonly template: "BACKUP_JOB_REPORT" };

export interface VssBackupReportPlanProps {
  /** 1-256 of A-Z a-z 0-9 _, starting with a letter; unique in the account and region. */
  readonly name: string;
  /**
   * An existing S3 bucket the stack does not manage. Its policy must let AWS Backup write (the
   * service-linked role AWSServiceRoleForBackupReports, s3:PutObject with bucket-owner-full-control).
   */
  readonly bucketName: string;
  /** Where in the bucket: s3://<bucket>/<prefix>/Backup/<region>/... @default no prefix */
  readonly keyPrefix?: string;
  /** @default ["CSV"] */
  readonly formats?: readonly ReportFormat[];
  readonly content: ReportContent;
}

export function vssBackupReportPlanProblems(
  props: Pick<VssBackupReportPlanProps, "name" | "bucketName" | "keyPrefix" | "formats"> & {
    readonly template?: string;
  },
): Problems {
  const problems = new Problems();
  problems.checkName("name", props.name, AUDIT_NAME);
  const bucket = s3BucketNameProblem(props.bucketName);
  if (bucket) problems.add("bucketName", bucket);
  if (props.keyPrefix !== undefined && !/^[^/].*[^/]$|^[^/]$/.test(props.keyPrefix))
    problems.add(
      "keyPrefix",
      `${JSON.stringify(props.keyPrefix)} is not allowed, allowed: a prefix that neither starts nor ends with '/' (AWS adds /Backup/<region>/...)`,
    );
  const formats = props.formats;
  if (formats !== undefined) {
    if (formats.length === 0) problems.add("formats", `is empty, allowed: one or both of ${REPORT_FORMATS.join(", ")}`);
    formats.forEach((format, i) => {
      if (!(REPORT_FORMATS as readonly string[]).includes(format))
        problems.add(
          `formats[${i}]`,
          `${JSON.stringify(format)} is not allowed, allowed: ${REPORT_FORMATS.join(", ")}`,
        );
      else if (formats.indexOf(format) !== i) problems.add(`formats[${i}]`, `${format} is listed twice, allowed: once`);
    });
  }
  if (props.template !== undefined && !["CONTROL_COMPLIANCE_REPORT", "BACKUP_JOB_REPORT"].includes(props.template))
    problems.add(
      "template",
      `${JSON.stringify(props.template)} is not allowed, allowed: CONTROL_COMPLIANCE_REPORT, BACKUP_JOB_REPORT`,
    );
  return problems;
}

/**
 * An AWS Backup Audit Manager report plan: AWS writes the report to the bucket every 24 hours. A
 * report template cannot change (report_template forces replacement).
 */
export class VssBackupReportPlan extends Construct {
  readonly reportPlanArn: string;
  readonly reportPlanName: string;

  constructor(scope: Construct, id: string, props: VssBackupReportPlanProps) {
    super(scope, id);
    const problems = vssBackupReportPlanProblems({ ...props, template: props.content.template });
    if (props.content.template === "CONTROL_COMPLIANCE_REPORT" && props.content.frameworks.length === 0)
      problems.add("content.frameworks", "is empty, allowed: at least one framework whose controls the report shows");
    throwIfAny(`VssBackupReportPlan ${this.node.path}`, problems.all);
    const content = props.content;
    const plan = new BackupReportPlan(this, "report-plan", {
      name: props.name,
      description: `AWS Backup ${content.template} to s3://${props.bucketName}${props.keyPrefix ? `/${props.keyPrefix}` : ""}`,
      reportDeliveryChannel: {
        s3BucketName: props.bucketName,
        s3KeyPrefix: props.keyPrefix,
        formats: [...(props.formats ?? ["CSV"])],
      },
      reportSetting: {
        reportTemplate: content.template,
        frameworkArns:
          content.template === "CONTROL_COMPLIANCE_REPORT" ? content.frameworks.map((f) => f.frameworkArn) : undefined,
      },
    });
    this.reportPlanArn = plan.arn;
    this.reportPlanName = plan.name;
  }
}
