import { spawnSync } from "child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "fs";
import { tmpdir } from "os";
import { join, relative, resolve } from "path";
import { ValidationError } from "../../modules/validation";
import { synthesisThreads } from "../../stacks/synthesize";

const root = resolve(__dirname, "../..");

describe("synthesisThreads (how many threads synthesize)", () => {
  it.each([
    [12, 2, 1],
    [100, 2, 1],
    [101, 2, 2],
    [504, 2, 2],
    [504, 8, 6],
    [100, 8, 1],
    [1, 1, 1],
    [0, 4, 1],
  ])(
    "%i stacks on %i cores without VSS_SYNTH_THREADS: %i (one per 100 stacks, at most one per core)",
    (stacks, cores, threads) => {
      expect(synthesisThreads(stacks, cores, undefined)).toBe(threads);
      expect(synthesisThreads(stacks, cores, "")).toBe(threads);
    },
  );

  it.each([
    ["1", 504, 1],
    ["3", 504, 3],
    ["64", 504, 64],
    ["3", 2, 2],
    ["2", 0, 1],
  ])("VSS_SYNTH_THREADS=%s with %i stacks: %i (never more threads than stacks)", (variable, stacks, threads) => {
    expect(synthesisThreads(stacks, 2, variable)).toBe(threads);
  });

  it.each(["0", "65", "1.5", "two", " 2", "-1", "02"])("refuses VSS_SYNTH_THREADS=%j", (variable) => {
    let caught: unknown;
    try {
      synthesisThreads(504, 2, variable);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).problems).toEqual([
      {
        path: "VSS_SYNTH_THREADS",
        message: `"${variable}" is not allowed, allowed: a whole number of threads from 1 to 64`,
      },
    ]);
  });
});

/** Every file under `dir`, by path relative to it, with its content. */
function tree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(dir, path)] = readFileSync(path, "utf8");
    }
  };
  walk(dir);
  return files;
}

describe("synthesis over several threads (a generated organization of 200 accounts, through scripts/run.js)", () => {
  let scratch: string;
  beforeEach(() => (scratch = mkdtempSync(join(tmpdir(), "vss-threads-"))));
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  const synth = (threads: string) => {
    const outdir = join(scratch, `threads-${threads}`);
    const result = spawnSync(
      process.execPath,
      [join(root, "scripts/run.js"), join(root, "scripts/synth-organization.ts"), "200", outdir],
      {
        env: { ...process.env, VSS_SYNTH_THREADS: threads, VSS_WAVE: "", VSS_OU: "", VSS_ENVIRONMENTS: "" },
        encoding: "utf8",
      },
    );
    return { ...result, files: result.status === 0 ? tree(outdir) : {} };
  };

  it("writes byte for byte what one thread writes, every stack and one manifest of them all, each thread a share", () => {
    const one = synth("1");
    const two = synth("2");
    expect([one.status, one.stderr, two.status, two.stderr]).toEqual([0, "", 0, ""]);
    expect(two.files).toEqual(one.files);
    const stacks = Object.keys(JSON.parse(one.files["manifest.json"]).stacks);
    // 200 member stacks, the management stack and the example environments (config/environments.ts).
    expect(stacks).toContain("vss-backup-management");
    expect(stacks.filter((name) => /^a5\d{11}-eu-(west|central)-1$/.test(name))).toHaveLength(200);
    for (const name of stacks) expect(Object.keys(two.files)).toContain(`stacks/${name}/cdk.tf.json`);
    expect(JSON.parse(one.stdout)).toEqual({ stacksPerThread: [stacks.length] });
    const { stacksPerThread } = JSON.parse(two.stdout) as { stacksPerThread: number[] };
    expect(stacksPerThread).toHaveLength(2);
    expect(stacksPerThread[0] + stacksPerThread[1]).toBe(stacks.length);
    expect(Math.min(...stacksPerThread)).toBeGreaterThan(0);
  });
});

describe("threads and batches", () => {
  it("starts no more threads than there are batches of 16 stacks, whatever VSS_SYNTH_THREADS asks", () => {
    const outdir = mkdtempSync(join(tmpdir(), "vss-batches-"));
    try {
      // 60 accounts, a third of them in the prod wave: its 20 member stacks are 2 batches.
      const result = spawnSync(
        process.execPath,
        [join(root, "scripts/run.js"), join(root, "scripts/synth-organization.ts"), "60", outdir],
        {
          env: { ...process.env, VSS_SYNTH_THREADS: "8", VSS_WAVE: "prod", VSS_OU: "", VSS_ENVIRONMENTS: "" },
          encoding: "utf8",
        },
      );
      expect([result.status, result.stderr]).toEqual([0, ""]);
      expect(JSON.parse(result.stdout)).toEqual({ stacksPerThread: [expect.any(Number), expect.any(Number)] });
      const { stacksPerThread } = JSON.parse(result.stdout) as { stacksPerThread: number[] };
      expect(stacksPerThread[0] + stacksPerThread[1]).toBe(20);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe("a helper thread that fails", () => {
  it("fails the synthesis, naming the helper's error", () => {
    const outdir = mkdtempSync(join(tmpdir(), "vss-failing-helper-"));
    try {
      const result = spawnSync(
        process.execPath,
        [join(root, "scripts/run.js"), join(root, "__tests__/support/synth-failing-helper.ts"), "20", outdir],
        { env: { ...process.env, VSS_SYNTH_THREADS: "2", VSS_ENVIRONMENTS: "" }, encoding: "utf8" },
      );
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("Error: the helper thread failed as it started");
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
