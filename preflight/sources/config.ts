import {
  ConfigurationRecorder,
  DescribeConfigurationRecordersCommand,
  DescribeConfigurationRecordersResponse,
  DescribeConfigurationRecorderStatusCommand,
  DescribeConfigurationRecorderStatusResponse,
} from "@aws-sdk/client-config-service";
import { AwsCaller, unread } from "../aws";
import type { ConfigRecorderFacts, RecorderFacts } from "../facts";

/**
 * AWS Config's configuration recorders of the environment's region, with what each records, and
 * (only when there is one) whether each is recording and how its last recording went.
 */
export async function readConfigRecorders(aws: AwsCaller): Promise<ConfigRecorderFacts> {
  const recorders = await aws
    .send<DescribeConfigurationRecordersResponse>("config", new DescribeConfigurationRecordersCommand({}))
    .then((r) => (r.ConfigurationRecorders ?? []).map(recorderFacts), unread);
  if ("error" in recorders || recorders.length === 0) return { recorders };
  const statuses = await aws
    .send<DescribeConfigurationRecorderStatusResponse>("config", new DescribeConfigurationRecorderStatusCommand({}))
    .then(
      (r) =>
        (r.ConfigurationRecordersStatus ?? []).map((s) => ({
          name: s.name ?? "",
          recording: s.recording === true,
          lastStatus: s.lastStatus,
          lastError: s.lastErrorCode ? `${s.lastErrorCode}: ${s.lastErrorMessage ?? ""}`.trim() : undefined,
        })),
      unread,
    );
  return { recorders, statuses };
}

/**
 * What a recorder records: every supported type (allSupported, or no recording group at all, which
 * AWS Config takes as all supported), every type but some (EXCLUSION_BY_RESOURCE_TYPES), or a list.
 */
function recorderFacts(recorder: ConfigurationRecorder): RecorderFacts {
  const group = recorder.recordingGroup;
  const name = recorder.name ?? "";
  if (!group || group.allSupported) return { name, records: { allSupported: true } };
  if (group.recordingStrategy?.useOnly === "EXCLUSION_BY_RESOURCE_TYPES")
    return { name, records: { allExcept: group.exclusionByResourceTypes?.resourceTypes ?? [] } };
  return { name, records: { only: group.resourceTypes ?? [] } };
}
