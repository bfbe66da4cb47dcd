// The pull-request comment job's script, run with a fake GitHub API: one comment, updated; cut at
// GitHub's limit with a link to the run summary; marked stale when the new run fails.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { REVIEW_MARKER } from "../review/report";
import { workflow } from "./support/workflows";

const script = String(
  workflow("pull-request.yml").jobs.comment.steps!.find((step) => step.uses?.startsWith("actions/github-script@"))?.with
    ?.script,
);
const RUN_URL = "https://github.com/acme/vss/actions/runs/42";

interface Comment {
  id: number;
  body: string;
  user: { type: string };
}

async function runComment(options: {
  review?: string;
  reviewResult: string;
  planResult?: string;
  comments?: Comment[];
}) {
  const dir = mkdtempSync(join(tmpdir(), "comment-"));
  const cwd = process.cwd();
  const comments = options.comments ?? [];
  const calls: { method: string; body: string; comment_id?: number }[] = [];
  const listComments = () => undefined;
  const github = {
    paginate: async () => comments,
    rest: {
      issues: {
        listComments,
        updateComment: async ({ comment_id, body }: { comment_id: number; body: string }) =>
          calls.push({ method: "update", comment_id, body }),
        createComment: async ({ body }: { body: string }) => calls.push({ method: "create", body }),
      },
    },
  };
  const context = {
    repo: { owner: "acme", repo: "vss" },
    serverUrl: "https://github.com",
    runId: 42,
    payload: { pull_request: { number: 7, head: { sha: "0123456789abcdef" } } },
  };
  const env = { REVIEW_RESULT: options.reviewResult, PLAN_RESULT: options.planResult ?? "success" };
  try {
    if (options.review !== undefined) {
      mkdirSync(join(dir, "review"));
      writeFileSync(join(dir, "review", "review.md"), options.review);
    }
    process.chdir(dir);
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor;
    await new AsyncFunction("require", "github", "context", "process", script)(require, github, context, {
      env,
    });
  } finally {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  }
  return calls;
}

const bot = (id: number, body: string): Comment => ({ id, body, user: { type: "Bot" } });

describe("the pull-request comment", () => {
  const review = `${REVIEW_MARKER}\n# Windows VSS backup review\n\nall good\n`;

  it("is created once, then updated (found by its marker)", async () => {
    expect(await runComment({ review, reviewResult: "success" })).toEqual([{ method: "create", body: review }]);
    const human = { id: 1, body: REVIEW_MARKER, user: { type: "User" } };
    expect(await runComment({ review, reviewResult: "success", comments: [human, bot(2, "old")] })).toEqual([
      { method: "create", body: review },
    ]);
    expect(
      await runComment({ review, reviewResult: "success", comments: [human, bot(3, `${REVIEW_MARKER}\nold`)] }),
    ).toEqual([{ method: "update", comment_id: 3, body: review }]);
  });

  it("is cut at GitHub's 65,536-character limit, with a link to the run summary", async () => {
    const long = `${REVIEW_MARKER}\n${"a line of the review\n".repeat(5000)}`;
    const [call] = await runComment({ review: long, reviewResult: "success" });
    expect(call.body.length).toBeLessThanOrEqual(65_536);
    expect(call.body.startsWith(`${REVIEW_MARKER}\na line of the review\n`)).toBe(true);
    expect(call.body).toMatch(
      new RegExp(`Cut at GitHub's 65536-character limit.*\\[run summary\\]\\(${RUN_URL}\\)\\.$`),
    );
    expect(call.body).not.toMatch(/\na line of the revi\n/); // cut at a line's end
  });

  it("says it is stale when the run for a new commit fails, and keeps one such note", async () => {
    const previous = bot(5, `${REVIEW_MARKER}\n# Windows VSS backup review\nold review`);
    const [first] = await runComment({ reviewResult: "skipped", comments: [previous] });
    expect(first).toMatchObject({ method: "update", comment_id: 5 });
    expect(first.body.split("\n").slice(0, 2)).toEqual([
      REVIEW_MARKER,
      `> **Stale:** this review is of an earlier commit; the [run for 0123456](${RUN_URL}) failed before a new review.`,
    ]);
    expect(first.body).toContain("old review");
    const [second] = await runComment({ reviewResult: "failure", comments: [bot(5, first.body)] });
    expect(second.body.match(/Stale/g)).toHaveLength(1);
  });

  it("writes nothing when the run fails and there is no earlier comment", async () => {
    expect(await runComment({ reviewResult: "failure" })).toEqual([]);
  });

  it("notes a plan that did not run", async () => {
    const [call] = await runComment({ review, reviewResult: "success", planResult: "failure" });
    expect(call.body.split("\n").slice(0, 2)).toEqual([
      REVIEW_MARKER,
      `> **Note:** a plan did not run (failure); see the [run](${RUN_URL}).`,
    ]);
  });
});
