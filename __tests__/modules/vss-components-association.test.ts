import { SsmAssociation } from "@cdktf/provider-aws/lib/ssm-association";
import { VssComponentsAssociation, VssComponentsAssociationProps } from "../../modules";
import { synthesize, theResource } from "../synth";

const tag = { key: "Backup", value: "windows-vss" };

function association(props: Partial<VssComponentsAssociationProps> = {}) {
  const stack = synthesize(
    (scope) => new VssComponentsAssociation(scope, "vss", { name: "fleet-AwsVssComponents", tag, ...props }),
  );
  return theResource(stack, SsmAssociation);
}

describe("VssComponentsAssociation", () => {
  it("installs AwsVssComponents with AWS-ConfigureAWSPackage and case-sensitive parameter names", () => {
    const emitted = association();
    expect(emitted.name).toBe("AWS-ConfigureAWSPackage");
    expect(emitted.association_name).toBe("fleet-AwsVssComponents");
    expect(emitted.parameters).toEqual({
      action: "Install",
      name: "AwsVssComponents",
      installationType: "Uninstall and reinstall",
    });
  });

  it("targets instances by the selection tag", () => {
    expect(association({ tag: { key: "Team Backup", value: "sql" } }).targets).toEqual([
      { key: "tag:Team Backup", values: ["sql"] },
    ]);
  });

  it("re-applies every 14 days, 10% at a time, reporting HIGH compliance by default", () => {
    expect(association()).toMatchObject({
      schedule_expression: "rate(14 days)",
      max_concurrency: "10%",
      max_errors: "10%",
      compliance_severity: "HIGH",
    });
    expect(association()).not.toHaveProperty("output_location");
  });

  it("pins a version, in-place update, schedule, rollout and S3 output when given", () => {
    const emitted = association({
      version: "2.5.1",
      installationType: "In-place update",
      scheduleExpression: "rate(1 day)",
      maxConcurrency: "5",
      maxErrors: "0",
      complianceSeverity: "CRITICAL",
      outputLocation: { s3BucketName: "ssm-logs", s3KeyPrefix: "vss/" },
    });
    expect(emitted).toMatchObject({
      parameters: {
        action: "Install",
        name: "AwsVssComponents",
        installationType: "In-place update",
        version: "2.5.1",
      },
      schedule_expression: "rate(1 day)",
      max_concurrency: "5",
      max_errors: "0",
      compliance_severity: "CRITICAL",
      output_location: { s3_bucket_name: "ssm-logs", s3_key_prefix: "vss/" },
    });
  });

  describe("rejects, naming the field and what is allowed", () => {
    it.each<[string, Partial<VssComponentsAssociationProps>, RegExp]>([
      [
        "max_concurrency 0 (SSM forbids it)",
        { maxConcurrency: "0" },
        /maxConcurrency: "0" is not allowed, allowed: a number from 1 or a percentage from 1% to 100%/,
      ],
      ["max_concurrency over 100%", { maxConcurrency: "150%" }, /maxConcurrency: "150%" is not allowed/],
      [
        "max_errors that is not a number",
        { maxErrors: "some" },
        /maxErrors: "some" is not allowed, allowed: a number from 0/,
      ],
      [
        "a schedule more often than 30 minutes",
        { scheduleExpression: "rate(10 minutes)" },
        /scheduleExpression: "rate\(10 minutes\)" is more often than every 30 minutes/,
      ],
      [
        "a schedule with the wrong unit form",
        { scheduleExpression: "rate(14 day)" },
        /scheduleExpression: "rate\(14 day\)" needs 'days'/,
      ],
      [
        "a schedule that is no expression",
        { scheduleExpression: "fortnightly" },
        /scheduleExpression: "fortnightly" is not a schedule/,
      ],
      ["a version that is not a version", { version: "latest" }, /version: "latest" is not a package version/],
      [
        "a version before the AwsVssConfig tag (2.3.1)",
        { version: "2.2.1" },
        /version: "2\.2\.1" predates the AwsVssConfig tag the instance role's VSS policy requires .*, allowed: 2\.3\.1 or later, or leave it out for the latest/,
      ],
      [
        "In-place update of a version before 2.5.0",
        { installationType: "In-place update", version: "2.4.0" },
        /version: "2\.4\.0" cannot be updated in place \(installationType "In-place update"\), allowed: 2\.5\.0 or later, or leave it out for the latest, or installationType "Uninstall and reinstall"/,
      ],
      ["a name of 2 characters", { name: "ab" }, /name: "ab" has 2 characters, allowed: 3-128 of A-Z a-z 0-9 - _ \./],
      [
        "an unknown installation type",
        { installationType: "Reinstall" as never },
        /installationType: "Reinstall" is not allowed, allowed: "Uninstall and reinstall" or "In-place update"$/,
      ],
      [
        "an unknown compliance severity",
        { complianceSeverity: "SEVERE" as never },
        /complianceSeverity: "SEVERE" is not allowed, allowed: CRITICAL, HIGH, MEDIUM, LOW, UNSPECIFIED/,
      ],
      [
        "a bad output bucket",
        { outputLocation: { s3BucketName: "My_Bucket" } },
        /outputLocation\.s3BucketName: "My_Bucket" is not a bucket name/,
      ],
      ["an empty tag value", { tag: { key: "Backup", value: "" } }, /tag\.value: "" is empty/],
      ["an aws: tag key", { tag: { key: "aws:backup", value: "x" } }, /tag\.key: "aws:backup" starts with "aws:"/],
      [
        "an output key prefix over 500 characters",
        { outputLocation: { s3BucketName: "ssm-logs", s3KeyPrefix: "p".repeat(501) } },
        /\n {2}outputLocation\.s3KeyPrefix: has 501 characters, allowed: at most 500$/,
      ],
    ])("%s", (_, props, message) => {
      expect(() => association(props)).toThrow(message);
    });

    it("names the construct by its path, then one line per problem", () => {
      expect(() => association({ maxErrors: "some" })).toThrow(
        'VssComponentsAssociation stack/vss (1 problem):\n  maxErrors: "some" is not allowed',
      );
    });

    it("accepts an output key prefix of 500 characters", () => {
      expect(association({ outputLocation: { s3BucketName: "ssm-logs", s3KeyPrefix: "p".repeat(500) } })).toMatchObject(
        { output_location: { s3_bucket_name: "ssm-logs", s3_key_prefix: "p".repeat(500) } },
      );
    });

    it("accepts the version boundaries: 2.3.1, and 2.5.0 in place (compared as numbers, so 2.10.0 is newer)", () => {
      expect(() => association({ version: "2.3.1" })).not.toThrow();
      expect(() => association({ version: "2.5.0", installationType: "In-place update" })).not.toThrow();
      expect(() => association({ version: "2.10.0", installationType: "In-place update" })).not.toThrow();
    });
  });
});
