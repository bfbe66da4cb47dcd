import { loadEnvironments } from "../../config/validate";
import { SYNTHESIS_TIME_CONTEXT, ValidationError } from "../../modules";
import { mkdtempSync, readdirSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { buildApp } from "../../stacks/app";
import { NOW } from "../support/clock";
import { PLAIN_PROJECT } from "../support/fixtures";

describe("buildApp", () => {
  let dev: ReturnType<typeof loadEnvironments>[number];
  beforeEach(() => ([dev] = loadEnvironments(PLAIN_PROJECT, { only: "dev", now: NOW })));

  it("builds one stack per environment, named after it", () => {
    const app = buildApp(loadEnvironments(PLAIN_PROJECT, { now: NOW }), {}, NOW);
    expect(app.node.children.map((child) => child.node.id)).toEqual(["dev", "staging", "prod"]);
  });

  it("leaves errors thrown while building their stack traces (it silences only cdktf's token traces)", () => {
    const broken = { ...dev, vault: { ...dev.vault, name: "bad.name" } };
    let caught: unknown;
    try {
      buildApp([broken], {}, NOW);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as Error).stack).toMatch(/\n\s+at .*vss-backup-stack/);
    expect(new Error("after").stack).toMatch(/\n\s+at /);
  });

  it("leaves Error's stack trace functions as it found them, after building and after synthesizing", () => {
    const { captureStackTrace, prepareStackTrace } = Error;
    const outdir = mkdtempSync(join(tmpdir(), "vss-app-"));
    try {
      const app = buildApp([dev], { outdir }, NOW);
      expect([Error.captureStackTrace, Error.prepareStackTrace]).toEqual([captureStackTrace, prepareStackTrace]);
      app.synth();
      expect([Error.captureStackTrace, Error.prepareStackTrace]).toEqual([captureStackTrace, prepareStackTrace]);
      expect(readdirSync(join(outdir, "stacks"))).toEqual(["dev"]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it("judges the constructs at the time it is given, keeping the rest of the context", () => {
    const app = buildApp([dev], { context: { team: "platform" } }, NOW);
    expect(app.node.getContext(SYNTHESIS_TIME_CONTEXT)).toBe("2026-11-25T12:00:00.000Z");
    expect(app.node.getContext("team")).toBe("platform");
  });

  describe("the HCL form (cdktf synth --hcl)", () => {
    const saved = process.env.SYNTH_HCL_OUTPUT;
    afterEach(() => {
      if (saved === undefined) delete process.env.SYNTH_HCL_OUTPUT;
      else process.env.SYNTH_HCL_OUTPUT = saved;
    });

    it("writes HCL stacks when the app asks for HCL, and leaves SYNTH_HCL_OUTPUT unset as it found it", () => {
      delete process.env.SYNTH_HCL_OUTPUT;
      const outdir = mkdtempSync(join(tmpdir(), "vss-hcl-"));
      try {
        buildApp([dev], { hclOutput: true, outdir }, NOW).synth();
        expect(process.env.SYNTH_HCL_OUTPUT).toBeUndefined();
        expect(readdirSync(join(outdir, "stacks", "dev")).filter((f) => f.startsWith("cdk."))).toEqual(["cdk.tf"]);
      } finally {
        rmSync(outdir, { recursive: true, force: true });
      }
    });

    it("restores a SYNTH_HCL_OUTPUT the caller had set", () => {
      process.env.SYNTH_HCL_OUTPUT = "false";
      buildApp([dev], { hclOutput: true }, NOW);
      expect(process.env.SYNTH_HCL_OUTPUT).toBe("false");
    });
  });
});
