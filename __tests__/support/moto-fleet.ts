// A fleet's IAM side and images on moto_server, for the tests that run preflight against moto's EC2
// and IAM: roles with instance profiles of the same name, AWS's own Windows and Linux images, and
// AWS Config recording as an account with an audit framework has it.
import {
  ConfigServiceClient,
  DeleteConfigurationRecorderCommand,
  DeleteDeliveryChannelCommand,
  PutConfigurationRecorderCommand,
  PutDeliveryChannelCommand,
  StartConfigurationRecorderCommand,
  StopConfigurationRecorderCommand,
} from "@aws-sdk/client-config-service";
import { DescribeImagesCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  DeleteInstanceProfileCommand,
  DeleteRoleCommand,
  DetachRolePolicyCommand,
  IAMClient,
  RemoveRoleFromInstanceProfileCommand,
} from "@aws-sdk/client-iam";

/** A role EC2 can assume, with `policies` attached and an instance profile of the same name holding it. */
/** What an AWS SDK client needs to talk to moto_server at `endpoint` as `region`. */
export interface MotoClientOptions {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export const motoClientOptions = (endpoint: string, region: string): MotoClientOptions => ({
  endpoint,
  region,
  credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
});

export async function createInstanceRole(iam: IAMClient, role: string, policies: readonly string[]): Promise<void> {
  const trust = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
  };
  await iam.send(new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: JSON.stringify(trust) }));
  for (const arn of policies) await iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: arn }));
  await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: role }));
  await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: role, RoleName: role }));
}

/** Undoes createInstanceRole as far as it got (cleanup: every step may find nothing to undo). */
export async function removeInstanceRole(iam: IAMClient, role: string, policies: readonly string[]): Promise<void> {
  const ignore = () => undefined;
  await iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: role, RoleName: role })).catch(ignore);
  await iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: role })).catch(ignore);
  for (const arn of policies)
    await iam.send(new DetachRolePolicyCommand({ RoleName: role, PolicyArn: arn })).catch(ignore);
  await iam.send(new DeleteRoleCommand({ RoleName: role })).catch(ignore);
}

/** A Windows Server 2016 image and a Linux image from moto's copy of AWS's own. */
export async function amazonImages(ec2: EC2Client): Promise<{ windows: string; linux: string }> {
  const images = (await ec2.send(new DescribeImagesCommand({ Owners: ["amazon"] }))).Images ?? [];
  const windows = images.find(
    (i) => i.Platform?.toLowerCase() === "windows" && /Windows_Server-2016/.test(i.Name ?? ""),
  );
  const linux = images.find((i) => !i.Platform);
  return { windows: windows!.ImageId!, linux: linux!.ImageId! };
}

/**
 * AWS Config recording every supported resource type, as an account that runs an audit framework
 * sets it up: a recorder, a delivery channel (AWS Config starts no recorder without one), started.
 */
export async function startConfigRecording(config: ConfigServiceClient, account: string, name: string): Promise<void> {
  await config.send(
    new PutConfigurationRecorderCommand({
      ConfigurationRecorder: {
        name,
        roleARN: `arn:aws:iam::${account}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`,
        recordingGroup: { allSupported: true, includeGlobalResourceTypes: false },
      },
    }),
  );
  await config.send(new PutDeliveryChannelCommand({ DeliveryChannel: { name, s3BucketName: `config-${account}` } }));
  await config.send(new StartConfigurationRecorderCommand({ ConfigurationRecorderName: name }));
}

/** Undoes startConfigRecording as far as it got (cleanup: every step may find nothing to undo). */
export async function removeConfigRecording(config: ConfigServiceClient, name: string): Promise<void> {
  const ignore = () => undefined;
  await config.send(new StopConfigurationRecorderCommand({ ConfigurationRecorderName: name })).catch(ignore);
  await config.send(new DeleteDeliveryChannelCommand({ DeliveryChannelName: name })).catch(ignore);
  await config.send(new DeleteConfigurationRecorderCommand({ ConfigurationRecorderName: name })).catch(ignore);
}
