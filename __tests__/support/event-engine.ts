import { spawnSync } from "child_process";

/**
 * moto's EventBridge engine, run in Python: whether `pattern` matches each event, and what an input
 * transformer makes of each event (moto's own parser). The events are what AWS Backup sends; the
 * engine is not the code under test.
 */
export function judgeEvents(
  pattern: string,
  events: readonly Record<string, unknown>[],
  transformer?: { inputPaths: Record<string, string>; inputTemplate: string },
): { matches: boolean[]; rendered: string[] } {
  const script = `
import json, sys
from moto.events.models import EventPattern, EventTemplateParser
given = json.load(sys.stdin)
pattern = EventPattern.load(given["pattern"])
out = {"matches": [pattern.matches_event(e) for e in given["events"]], "rendered": []}
t = given.get("transformer")
if t:
    out["rendered"] = [EventTemplateParser.parse(input_template=t["inputTemplate"], input_paths_map=t["inputPaths"], event=e) for e in given["events"]]
print(json.dumps(out))
`;
  const result = spawnSync("python3", ["-c", script], {
    input: JSON.stringify({ pattern, events, transformer }),
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`moto's pattern engine failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** A "Backup Job State Change" event as AWS Backup sends it (EventBridge reference), with `detail` overrides. */
export function backupJobEvent(detail: Record<string, unknown>): Record<string, unknown> {
  return {
    version: "0",
    id: "6f2b5c2e-1a0b-4c3d-9e8f-0a1b2c3d4e5f",
    "detail-type": "Backup Job State Change",
    source: "aws.backup",
    account: "111111111111",
    time: "2026-11-25T02:14:00Z",
    "ingestion-time": "2026-11-25T02:14:01Z",
    region: "eu-west-1",
    resources: ["arn:aws:ec2:eu-west-1:111111111111:instance/i-0abc1234def567890"],
    detail: {
      backupJobId: "3B1E6D2A-5F4C-4E3B-9A8D-7C6B5A4F3E2D",
      backupVaultArn: "arn:aws:backup:eu-west-1:111111111111:backup-vault:vss-backup-dev",
      backupVaultName: "vss-backup-dev",
      resourceArn: "arn:aws:ec2:eu-west-1:111111111111:instance/i-0abc1234def567890",
      resourceType: "EC2",
      state: "COMPLETED",
      ...detail,
    },
  };
}

/**
 * A "Restore Job State Change" event as AWS Backup sends it (AWS Backup's EventBridge page: its field
 * is `status`, and a job of a restore testing plan carries `restoreTestingPlanArn`), with `detail` overrides.
 */
export function restoreJobEvent(detail: Record<string, unknown>): Record<string, unknown> {
  return {
    version: "0",
    id: "0c5e2a1b-7d3f-4e6a-8b9c-1d2e3f4a5b6c",
    "detail-type": "Restore Job State Change",
    source: "aws.backup",
    account: "111111111111",
    time: "2026-11-29T03:40:00Z",
    "ingestion-time": "2026-11-29T03:40:01Z",
    region: "eu-west-1",
    resources: ["arn:aws:ec2:eu-west-1::image/ami-0abc1234def567890"],
    detail: {
      restoreJobId: "9C8B7A6D-5E4F-4A3B-8C2D-1E0F9A8B7C6D",
      backupSizeInBytes: "64424509440",
      creationDate: "2026-11-29T03:05:00.000Z",
      iamRoleArn: "arn:aws:iam::111111111111:role/vss-backup-dev-backup-service",
      percentDone: 0,
      resourceType: "EC2",
      restoreTestingPlanArn:
        "arn:aws:backup:eu-west-1:111111111111:restore-testing-plan:vss_backup_dev_restore_test-1a2b3c",
      status: "FAILED",
      statusMessage: "No subnets found for the default VPC vpc-0abc1234. Please specify a subnet.",
      ...detail,
    },
  };
}
