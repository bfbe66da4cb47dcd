// The AWS profiles a wave's Terraform uses: every AWS provider of a member stack names its profile
// (MemberOf.profile) and no role, and the deploy writes which role each profile assumes. A saved plan
// keeps its provider configuration, so this is how the plan of a wave reads the member accounts with
// their read-only plan role while its apply changes them with the deploy role. The apply job's bash
// twin (.github/actions/apply-saved-plans) writes the same profiles for an apply.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { homedir, tmpdir } from "os";
import { join } from "path";
import type { MemberOf } from "../config/organization-types";

/** What a member stack's profile needs: its name (also the role session name) and the two roles it may assume. */
export type MemberProfile = Pick<MemberOf, "profile" | "planRoleArn" | "deployRoleArn">;

/** Which role the profiles assume: the plan role to plan, the deploy role to apply. */
export type ProfileRole = "plan" | "apply";

/** Why no member profile could assume its role with this environment's credentials, or undefined. */
export function missingCredentials(env: NodeJS.ProcessEnv): string | undefined {
  if (env.AWS_PROFILE || (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY)) return undefined;
  return "no credentials to assume the member roles with: set AWS_PROFILE (a profile of your AWS config), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (as GitHub's configure-aws-credentials does)";
}

/**
 * The AWS config file's content: one `[profile <name>]` per member stack, assuming the role of `role`.
 * Where the credentials that assume it come from:
 * - AWS_PROFILE set: that profile (`source_profile`), e.g. an SSO profile of the user's own config
 *   file, whose content is copied in front of the member profiles so that it still resolves;
 * - else the environment's keys (`credential_source = Environment`), which GitHub's
 *   configure-aws-credentials sets. The AWS provider 5.100.0 reads shared config through
 *   aws-sdk-go-v2's config package, whose config/resolve_credentials.go (resolveCredsFromSource,
 *   `credSourceEnvironment`) takes the static keys of the environment and then assumes `role_arn`.
 */
export function memberProfilesConfig(
  profiles: readonly MemberProfile[],
  role: ProfileRole,
  env: NodeJS.ProcessEnv,
): string {
  const sourceProfile = env.AWS_PROFILE;
  const names = new Set(profiles.map((p) => p.profile));
  const own = sourceProfile ? withoutProfiles(userConfig(env), names) : "";
  const blocks = profiles.map((p) =>
    [
      `[profile ${p.profile}]`,
      `role_arn = ${role === "plan" ? p.planRoleArn : p.deployRoleArn}`,
      `role_session_name = ${p.profile}`,
      sourceProfile ? `source_profile = ${sourceProfile}` : "credential_source = Environment",
      "",
    ].join("\n"),
  );
  return [own, ...blocks].filter(Boolean).join("\n");
}

/**
 * Writes the member profiles to a file of their own and returns the environment variable pointing
 * Terraform at it (AWS_CONFIG_FILE), for its child processes only, and how to remove it.
 */
export function writeMemberProfiles(
  profiles: readonly MemberProfile[],
  role: ProfileRole,
  env: NodeJS.ProcessEnv,
): { readonly env: { readonly AWS_CONFIG_FILE: string }; readonly remove: () => void } {
  const content = memberProfilesConfig(profiles, role, env);
  const folder = mkdtempSync(join(tmpdir(), "vss-wave-profiles-"));
  const file = join(folder, "config");
  writeFileSync(file, content, { mode: 0o600 });
  return { env: { AWS_CONFIG_FILE: file }, remove: () => rmSync(folder, { recursive: true, force: true }) };
}

/** The user's own AWS config file (AWS_CONFIG_FILE, else ~/.aws/config), with a final newline; "" if there is none. */
function userConfig(env: NodeJS.ProcessEnv): string {
  const file = env.AWS_CONFIG_FILE || join(env.HOME || homedir(), ".aws", "config");
  if (!existsSync(file)) return "";
  const content = readFileSync(file, "utf8");
  return content === "" || content.endsWith("\n") ? content : `${content}\n`;
}

/** `config` without the sections of these profiles: a section written twice would merge with the member profile's. */
function withoutProfiles(config: string, names: ReadonlySet<string>): string {
  let skipping = false;
  return config
    .split(/(?<=\n)/)
    .filter((line) => {
      const section = /^\s*\[\s*(?:profile\s+)?([^\]]+?)\s*\]/.exec(line);
      if (section) skipping = names.has(section[1]);
      return !skipping;
    })
    .join("");
}
