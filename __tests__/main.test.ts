import { spawnSync } from "child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join, resolve } from "path";
import type { AccountsFile, OrganizationConfig } from "../config/organization-types";
import type { ProjectConfig } from "../config/types";

const root = resolve(__dirname, "..");
// The app command synthesizes the user's configuration, whatever it holds: expectations follow it.
const { config } = jest.requireActual<{ config: ProjectConfig }>("../config/environments");
const names = config.environments.map((env) => env.name);
const { organization } = jest.requireActual<{ organization?: OrganizationConfig }>("../config/organization");
const accounts: AccountsFile = jest.requireActual("../config/accounts.json");
const activeAccounts = new Set(accounts.accounts.filter((a) => a.status === "ACTIVE").map((a) => a.id));

/** Runs the cdktf app command as `cdktf synth` does, in a scratch directory. */
function synth(variables: Record<string, string>) {
  const cwd = mkdtempSync(join(tmpdir(), "vss-synth-"));
  try {
    const result = spawnSync(process.execPath, [join(root, "scripts/run.js"), join(root, "main.ts")], {
      cwd,
      env: { ...process.env, VSS_ENVIRONMENTS: "", VSS_BACKEND: "", ...variables },
      encoding: "utf8",
    });
    const outdir = join(cwd, "cdktf.out");
    return {
      status: result.status,
      stderr: result.stderr,
      stacks: existsSync(join(outdir, "stacks")) ? readdirSync(join(outdir, "stacks")).sort() : undefined,
      wroteAnything: existsSync(outdir),
    };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

describe("the app (main.ts)", () => {
  it("synthesizes one stack per configured environment by default, and organization mode's stacks when it is on", () => {
    const result = synth({});
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const others = result.stacks!.filter((name) => !names.includes(name));
    expect(result.stacks!.filter((name) => names.includes(name))).toEqual([...names].sort());
    if (!organization) return expect(others).toEqual([]);
    expect(others).toContain(`${organization.project}-management`);
    const members = others.filter((name) => name !== `${organization.project}-management`);
    expect(members.length).toBeGreaterThan(0);
    for (const member of members) {
      const [, account, region] = /^a(\d{12})-([a-z]{2}(?:-[a-z]+)+-\d)$/.exec(member) ?? [];
      expect([
        member,
        activeAccounts.has(account),
        organization.templates.some((t) => t.regions.includes(region)),
      ]).toEqual([member, true, true]);
    }
  });

  it("synthesizes only the member stacks of the wave VSS_WAVE names (an error when organization mode is off)", () => {
    const wave = organization?.waves[0] ?? "sandbox";
    const result = synth({ VSS_WAVE: wave });
    if (!organization) {
      expect(result.stderr.trim()).toBe(
        "Invalid configuration (1 problem):\n  VSS_WAVE: is set, but organization mode is off (config/organization.ts exports no organization)",
      );
      return expect(result.wroteAnything).toBe(false);
    }
    expect(result.status).toBe(0);
    expect(result.stacks!.length).toBeGreaterThan(0);
    for (const member of result.stacks!) expect(member).toMatch(/^a\d{12}-/);
    const waveAccounts = accounts.accounts.filter((a) =>
      organization.templates.some(
        (t) =>
          t.wave === wave &&
          (t.accounts?.includes(a.id) || t.ous?.some((ou) => a.ouPath === ou || a.ouPath.startsWith(`${ou}/`))),
      ),
    );
    for (const member of result.stacks!) expect(waveAccounts.map((a) => a.id)).toContain(member.slice(1, 13));
  });

  it("synthesizes only the environments VSS_ENVIRONMENTS names", () => {
    expect(synth({ VSS_ENVIRONMENTS: names[0] }).stacks).toEqual([names[0]]);
  });

  it("exits non-zero before writing anything when an environment is unknown, without a stack trace", () => {
    const result = synth({ VSS_ENVIRONMENTS: `${names[0]},no-such-environment` });
    expect(result.status).toBe(1);
    const known = organization
      ? `unknown stack (named in VSS_ENVIRONMENTS); known: the environments ${names.join(", ")}, ${organization.project}-management and the member stacks (npm run synth lists them)`
      : `unknown environment (named in VSS_ENVIRONMENTS); known: ${names.join(", ")}`;
    expect(result.stderr.trim()).toBe(`Invalid configuration (1 problem):\n  no-such-environment: ${known}`);
    expect(result.wroteAnything).toBe(false);
  });

  it("exits non-zero before writing anything when a backend override is incomplete", () => {
    const result = synth({ VSS_BACKEND: "s3", VSS_ENVIRONMENTS: names[0] });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^Invalid configuration \(\d+ problems\):\n {2}\S+\.backend\.bucket: "" is not a bucket name/,
    );
    expect(result.stderr).not.toMatch(/\bat .*\.js:\d+/);
    expect(result.wroteAnything).toBe(false);
  });

  it("exits non-zero before writing anything when VSS_SYNTH_THREADS is not a whole number from 1 to 64", () => {
    const result = synth({ VSS_SYNTH_THREADS: "0" });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      'Invalid configuration (1 problem):\n  VSS_SYNTH_THREADS: "0" is not allowed, allowed: a whole number of threads from 1 to 64',
    );
    expect(result.wroteAnything).toBe(false);
  });

  it("accepts VSS_SYNTH_THREADS=2 and synthesizes the same stacks", () => {
    const result = synth({ VSS_SYNTH_THREADS: "2" });
    expect([result.status, result.stderr]).toEqual([0, ""]);
    expect(result.stacks).toEqual(synth({}).stacks);
  });

  it("warns, and still synthesizes, when a variable of an unused backend is set", () => {
    const result = synth({ VSS_ENVIRONMENTS: names[0], VSS_S3_BUCKET: "acme-state" });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(
      `Warning: ${names[0]}.backend: VSS_S3_BUCKET is set, but this environment's state backend is`,
    );
  });
});
