import { loadEnvironments } from "../../config/validate";
import { ValidationError } from "../../modules";
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
});
