// The shared rules every construct and the configuration judge by, at their edges: the limits
// themselves pass, one past them fails, and each message names the value and what is allowed.
import { Testing } from "cdktf";
import { tagCondition, tagOfCondition } from "../../modules/selection-tag";
import { MAX_TAGS_PER_RESOURCE, tagKeyProblem, tagSetProblems, tagValueProblem } from "../../modules/tags";
import {
  arnProblem,
  ARNS,
  compareVersions,
  nameProblem,
  Problems,
  s3BucketNameProblem,
  synthesisTime,
  SYNTHESIS_TIME_CONTEXT,
  ValidationError,
  VAULT_NAME,
} from "../../modules/validation";

const DEV = { account: "111111111111", region: "eu-west-1" };

describe("ValidationError", () => {
  it("is named for what it is and counts its problems in words", () => {
    const one = new ValidationError("Invalid vault", [{ path: "name", message: "too short" }]);
    expect(one.name).toBe("ValidationError");
    expect(one.message).toBe("Invalid vault (1 problem):\n  name: too short");
    const two = new ValidationError("Invalid vault", [
      { path: "name", message: "too short" },
      { path: "key", message: "not a key" },
    ]);
    expect(two.message).toBe("Invalid vault (2 problems):\n  name: too short\n  key: not a key");
  });
});

describe("synthesisTime", () => {
  it("is the time the app (or a test) set, and the wall clock where none is set", () => {
    const app = Testing.app({ context: { [SYNTHESIS_TIME_CONTEXT]: "2026-11-25T12:00:00Z" } });
    expect(synthesisTime(app).toISOString()).toBe("2026-11-25T12:00:00.000Z");
    const before = Date.now();
    const unset = synthesisTime(Testing.app()).getTime();
    expect(unset).toBeGreaterThanOrEqual(before);
    expect(unset).toBeLessThanOrEqual(Date.now());
  });
});

describe("Problems.checkInteger", () => {
  const check = (value: number) => {
    const problems = new Problems();
    problems.checkInteger("keepDays", value, 1, 36500, "days");
    return problems.all;
  };

  it("accepts both ends of the range and refuses one past either", () => {
    expect(check(1)).toEqual([]);
    expect(check(36500)).toEqual([]);
    expect(check(0)).toEqual([
      { path: "keepDays", message: "0 is not allowed, allowed: a whole number of days from 1 to 36500" },
    ]);
    expect(check(36501)).toEqual([
      { path: "keepDays", message: "36501 is not allowed, allowed: a whole number of days from 1 to 36500" },
    ]);
    expect(check(1.5)).toHaveLength(1);
  });
});

describe("nameProblem", () => {
  it("accepts the shortest and the longest name", () => {
    expect(nameProblem("ab", VAULT_NAME)).toBeUndefined();
    expect(nameProblem("a".repeat(50), VAULT_NAME)).toBeUndefined();
  });

  it("counts the characters of a name too short or too long", () => {
    expect(nameProblem("a", VAULT_NAME)).toBe('"a" has 1 characters, allowed: 2-50 of A-Z a-z 0-9 - _');
    expect(nameProblem("a".repeat(51), VAULT_NAME)).toBe(
      `"${"a".repeat(51)}" has 51 characters, allowed: 2-50 of A-Z a-z 0-9 - _`,
    );
  });

  it("says 0 characters of something that is no string (a configuration read from JSON)", () => {
    expect(nameProblem(42 as unknown as string, VAULT_NAME)).toBe(
      "42 has 0 characters, allowed: 2-50 of A-Z a-z 0-9 - _",
    );
  });

  it("names each character not allowed, once", () => {
    expect(nameProblem("my vault!!", VAULT_NAME)).toBe(`"my vault!!" has ' ', '!', allowed: 2-50 of A-Z a-z 0-9 - _`);
  });
});

describe("s3BucketNameProblem", () => {
  const notABucket = (name: string) =>
    `${JSON.stringify(name)} is not a bucket name, allowed: 3-63 of a-z 0-9 . -, starting and ending with a letter or digit, no '..', not an IP address`;
  const reserved = (name: string) =>
    `${JSON.stringify(name)} uses a prefix or suffix S3 reserves, allowed: 3-63 of a-z 0-9 . -, starting and ending with a letter or digit, no '..', not an IP address`;

  it("accepts names that only contain what S3 reserves, or look like an address, elsewhere", () => {
    for (const name of ["backup-reports", "a1.2.3.4", "1.2.3.4a", "my-xn--reports", "a-s3alias-b", "reports.mrap.b"])
      expect(s3BucketNameProblem(name)).toBeUndefined();
  });

  it("refuses an IP address, a name ending in '-', and '..'", () => {
    for (const name of ["10.20.30.40", "192.168.1.1", "reports-", "a..b"])
      expect(s3BucketNameProblem(name)).toBe(notABucket(name));
  });

  it("refuses S3's reserved prefixes and suffixes", () => {
    for (const name of ["xn--reports", "sthree-reports", "reports-s3alias", "reports--ol-s3", "reports.mrap"])
      expect(s3BucketNameProblem(name)).toBe(reserved(name));
  });
});

describe("compareVersions", () => {
  it("compares numerically, a missing part counting as 0", () => {
    expect(compareVersions("2.10.0", "2.9.1")).toBeGreaterThan(0);
    expect(compareVersions("1.2", "1.2.1")).toBeLessThan(0);
    expect(compareVersions("1.2.1", "1.2")).toBeGreaterThan(0);
    expect(compareVersions("1.2", "1.2.0")).toBe(0);
  });
});

describe("arnProblem", () => {
  it("accepts a key of the environment's account and region, and AWS's own policies where allowed", () => {
    expect(arnProblem("arn:aws:kms:eu-west-1:111111111111:key/1234abcd", ARNS.kmsKey, DEV)).toBeUndefined();
    expect(arnProblem("arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore", ARNS.iamPolicy, DEV)).toBeUndefined();
  });

  it("refuses an ARN of another service, however its resource starts", () => {
    expect(arnProblem("arn:aws:sns:eu-west-1:111111111111:key/1234abcd", ARNS.kmsKey, DEV)).toBe(
      '"arn:aws:sns:eu-west-1:111111111111:key/1234abcd" is not a KMS key ARN, allowed: an ARN like arn:aws:kms:<region>:<account>:key/<name>',
    );
  });

  it("refuses an ARN without an account of its own, or AWS's where only the environment's will do", () => {
    expect(arnProblem("arn:aws:kms:eu-west-1::key/1234abcd", ARNS.kmsKey, DEV)).toBe(
      '"arn:aws:kms:eu-west-1::key/1234abcd" names no account of its own, allowed: a 12-digit account',
    );
    expect(arnProblem("arn:aws:iam::aws:role/breakglass", ARNS.iamRole, DEV)).toBe(
      '"arn:aws:iam::aws:role/breakglass" names no account of its own, allowed: a 12-digit account',
    );
  });

  it("accepts a copy destination vault of any region and account (cross-region and cross-account copies)", () => {
    expect(
      arnProblem("arn:aws:backup:eu-central-1:222222222222:backup-vault:central-dr", ARNS.backupVault, DEV),
    ).toBeUndefined();
  });

  it("refuses another account's key", () => {
    expect(arnProblem("arn:aws:kms:eu-west-1:222222222222:key/1234abcd", ARNS.kmsKey, DEV)).toBe(
      '"arn:aws:kms:eu-west-1:222222222222:key/1234abcd" is in account 222222222222, allowed: a KMS key of the environment\'s account 111111111111',
    );
  });
});

describe("tags at AWS's limits", () => {
  it("accepts a 128-character key and a 256-character value, and refuses one more", () => {
    expect(tagKeyProblem("k".repeat(128))).toBeUndefined();
    expect(tagKeyProblem("k".repeat(129))).toMatch(/^"k{129}" is not a tag key, allowed: 1-128 characters/);
    expect(tagValueProblem("v".repeat(256))).toBeUndefined();
    expect(tagValueProblem("v".repeat(257))).toMatch(/^"v{257}" is not a tag value, allowed: 0-256 characters/);
  });

  it("accepts exactly 50 tags on a resource, counting the project's own", () => {
    const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`Key${i}`, "v"]));
    const own = { ownKeys: ["Project", "Environment", "ManagedBy"] };
    expect(MAX_TAGS_PER_RESOURCE).toBe(50);
    expect(tagSetProblems(tags(47), own).all).toEqual([]);
    expect(tagSetProblems(tags(48), own).all).toEqual([
      {
        path: "",
        message:
          "51 tags per resource (48 plus the project's own Project, Environment, ManagedBy), allowed: at most 50",
      },
    ]);
  });
});

describe("selection tag conditions", () => {
  it("reads back the tag of a resource-tag condition, and nothing from another condition", () => {
    expect(tagOfCondition(tagCondition({ key: "Backup", value: "windows-vss" }))).toEqual({
      key: "Backup",
      value: "windows-vss",
    });
    expect(tagOfCondition({ key: "aws:RequestTag/Backup", value: "windows-vss" })).toBeUndefined();
  });
});
