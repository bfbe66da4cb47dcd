import { spawnSync } from "child_process";
import { cpSync, symlinkSync, writeFileSync } from "fs";
import { join, resolve } from "path";
import { freshDir } from "./tier";

jest.setTimeout(5 * 60_000);

const root = resolve(__dirname, "..", "..");
const COPY_MARK = "VSS_TEST_OTHER_CONFIGURATION_COPY";
const COPIED = [
  ".github",
  "package.json",
  "tsconfig.json",
  "jest.config.js",
  "main.ts",
  "cdktf.json",
  "config",
  "modules",
  "stacks",
  "preflight",
  "organization",
  "review",
  "scripts",
  "bin",
  "__tests__",
];

/** A user's first act: config/environments.ts rewritten from scratch (other names, accounts, regions, paths). */
const OTHER_CONFIGURATION = `import { BackupRules } from "../modules/backup-plan";
import type { ProjectConfig } from "./types";

export const config: ProjectConfig = {
  project: "fleet",
  environments: [
    {
      name: "sandbox",
      account: "444444444444",
      region: "us-east-2",
      selectionTag: { key: "vss", value: "on" },
      instanceRole: { existingRoleName: "windows-fleet", policyMode: "inline" },
      plan: { rules: [BackupRules.weekly({ keepDays: 14, atHour: 22, timezone: "America/Chicago" })] },
    },
    {
      name: "live",
      account: "555555555555",
      region: "ap-southeast-2",
      tags: { CostCentre: "4711" },
      backend: { type: "s3", bucket: "fleet-terraform-state", region: "ap-southeast-2" },
      plan: { rules: [BackupRules.daily({ keepDays: 30 }), BackupRules.monthly({ keepDays: 400 })] },
    },
  ],
};
`;

describe("the unit tier with another example configuration", () => {
  it("passes: no test depends on config/environments.ts, which is the user's to edit", () => {
    // Never inside the copy itself: a mistake in the filter below must fail, not copy itself forever.
    expect(process.env[COPY_MARK]).toBeUndefined();
    const copy = freshDir("other-configuration");
    for (const entry of COPIED) cpSync(join(root, entry), join(copy, entry), { recursive: true });
    symlinkSync(join(root, "node_modules"), join(copy, "node_modules"));
    writeFileSync(join(copy, "config", "environments.ts"), OTHER_CONFIGURATION);
    const run = spawnSync(
      process.execPath,
      [
        join(root, "node_modules", ".bin", "jest"),
        "--selectProjects",
        "unit",
        "--ci",
        // Every unit test file but the one meant to fail here (the committed workflows must follow the
        // configuration). A path filter, not --testPathIgnorePatterns: that flag would replace the
        // project's own ignores and run this very test inside the copy.
        "--testPathPattern",
        "__tests__/(?!workflows-config\\.test)",
      ],
      {
        cwd: copy,
        encoding: "utf8",
        env: { ...process.env, VSS_ENVIRONMENTS: "", VSS_BACKEND: "", [COPY_MARK]: "1" },
      },
    );
    const summary = run.stderr.split("\n").find((line) => line.startsWith("Tests:"));
    expect({
      code: run.status,
      summary,
      failures: run.stderr
        .split("\n")
        .filter((line) => line.includes("●"))
        .slice(0, 10),
    }).toEqual({
      code: 0,
      summary: expect.stringMatching(/^Tests: +\d+ passed, \d+ total$/),
      failures: [],
    });
  });
});
