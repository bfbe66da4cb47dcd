import {
  BackupRules,
  BackupServiceRole,
  ReportFormat,
  VssAuditFramework,
  VssBackupPlan,
  VssBackupReportPlan,
  VssBackupReportPlanProps,
  vssBackupReportPlanProblems,
  VssBackupVault,
} from "../../modules";
import { addressOf, addressesOf, synthesize, theResource } from "../synth";

function reportPlanOf(props: Partial<VssBackupReportPlanProps> = {}, withFramework = true) {
  const stack = synthesize((scope) => {
    const vault = new VssBackupVault(scope, "vault", { name: "fleet" });
    const plan = new VssBackupPlan(scope, "plan", {
      name: "fleet",
      vault,
      rules: [BackupRules.daily({ keepDays: 35 })],
    });
    const selection = plan.addSelection("selection", {
      name: "fleet-instances",
      serviceRole: BackupServiceRole.fromRoleArn("arn:aws:iam::111111111111:role/backup-service"),
      tag: { key: "Backup", value: "windows-vss" },
    });
    const framework = new VssAuditFramework(scope, "audit", { name: "fleet_vss", plan, selection });
    new VssBackupReportPlan(scope, "report", {
      name: "fleet_vss_report",
      bucketName: "fleet-backup-reports",
      content: withFramework
        ? { template: "CONTROL_COMPLIANCE_REPORT", frameworks: [framework] }
        : { template: "BACKUP_JOB_REPORT" },
      ...props,
    });
  });
  return { stack, plan: theResource(stack, "aws_backup_report_plan") };
}

describe("VssBackupReportPlan", () => {
  it("reports the framework's control compliance, as CSV, to the bucket", () => {
    const { stack, plan } = reportPlanOf();
    expect(plan.name).toBe("fleet_vss_report");
    expect(plan.description).toBe("AWS Backup CONTROL_COMPLIANCE_REPORT to s3://fleet-backup-reports");
    expect(plan.report_delivery_channel).toEqual({ s3_bucket_name: "fleet-backup-reports", formats: ["CSV"] });
    const setting = plan.report_setting as { report_template: string; framework_arns: string[] };
    expect(setting.report_template).toBe("CONTROL_COMPLIANCE_REPORT");
    expect(setting.framework_arns.map(addressOf)).toEqual(addressesOf(stack, "aws_backup_framework"));
  });

  it("reports backup jobs without naming a framework, under a key prefix, in both formats", () => {
    const { plan } = reportPlanOf({ keyPrefix: "audit/prod", formats: ["CSV", "JSON"] }, false);
    expect(plan.report_setting).toEqual({ report_template: "BACKUP_JOB_REPORT" });
    expect(plan.description).toBe("AWS Backup BACKUP_JOB_REPORT to s3://fleet-backup-reports/audit/prod");
    expect(plan.report_delivery_channel).toEqual({
      s3_bucket_name: "fleet-backup-reports",
      s3_key_prefix: "audit/prod",
      formats: ["CSV", "JSON"],
    });
  });

  it("refuses to synthesize a compliance report over no framework", () => {
    expect(() => reportPlanOf({ content: { template: "CONTROL_COMPLIANCE_REPORT", frameworks: [] } })).toThrow(
      "VssBackupReportPlan stack/report (1 problem):\n  content.frameworks: is empty, allowed: at least one framework whose controls the report shows",
    );
  });
});

describe("vssBackupReportPlanProblems: one line per problem", () => {
  const valid = { name: "fleet_vss_report", bucketName: "fleet-backup-reports" };
  it("accepts a valid plan", () => {
    expect(vssBackupReportPlanProblems(valid).all).toEqual([]);
  });

  it.each(["a", "audit/prod"])("accepts the key prefix %s", (keyPrefix) => {
    expect(vssBackupReportPlanProblems({ ...valid, keyPrefix }).all).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ["a hyphen in the name", { name: "fleet-report" }, "name", `"fleet-report" has '-'`],
    ["an upper-case bucket", { bucketName: "Fleet-Reports" }, "bucketName", `"Fleet-Reports" is not a bucket name`],
    ["a reserved bucket prefix", { bucketName: "xn--reports" }, "bucketName", "uses a prefix or suffix S3 reserves"],
    ["a prefix ending in a slash", { keyPrefix: "audit/" }, "keyPrefix", `"audit/" is not allowed`],
    [
      "a prefix starting with a slash",
      { keyPrefix: "/audit" },
      "keyPrefix",
      `"/audit" is not allowed, allowed: a prefix that neither starts nor ends with '/' (AWS adds /Backup/<region>/...)`,
    ],
    ["a prefix that is only a slash", { keyPrefix: "/" }, "keyPrefix", `"/" is not allowed`],
    ["no format", { formats: [] }, "formats", "is empty, allowed: one or both of CSV, JSON"],
    ["a format AWS does not write", { formats: ["XML"] }, "formats[0]", `"XML" is not allowed, allowed: CSV, JSON`],
    ["a format twice", { formats: ["CSV", "CSV"] }, "formats[1]", "CSV is listed twice, allowed: once"],
    ["another template", { template: "COPY_JOB_REPORT" }, "template", `"COPY_JOB_REPORT" is not allowed`],
  ])("%s", (_, props, path, message) => {
    const found = vssBackupReportPlanProblems({
      ...valid,
      ...(props as { formats?: ReportFormat[] }),
    }).all;
    expect(found).toHaveLength(1);
    expect(found[0].path).toBe(path);
    expect(found[0].message).toContain(message);
  });
});
