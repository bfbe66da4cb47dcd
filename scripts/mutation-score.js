// Adds up the mutation reports of every part of a sharded run (reports/mutation/<shard>/mutation.json,
// see stryker.config.mjs) the way Stryker scores one run: detected (killed, timed out) over detected
// plus undetected (survived, no coverage); ignored and compile errors do not count.
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..", "reports", "mutation");
const shards = fs.existsSync(root)
  ? fs.readdirSync(root).filter((name) => fs.existsSync(path.join(root, name, "mutation.json")))
  : [];
if (shards.length === 0) {
  console.error(`No shard reports under ${root}: run MUTATION_SHARD=<name> MUTATION_FILES=<globs> npm run mutation`);
  process.exit(2);
}

const count = (files) => {
  const tally = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, Ignored: 0, other: 0 };
  for (const file of Object.values(files))
    for (const mutant of file.mutants) tally[mutant.status in tally ? mutant.status : "other"]++;
  return tally;
};
const score = (t) => ((100 * (t.Killed + t.Timeout)) / (t.Killed + t.Timeout + t.Survived + t.NoCoverage)).toFixed(2);

const total = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, Ignored: 0, other: 0 };
for (const shard of shards) {
  const tally = count(JSON.parse(fs.readFileSync(path.join(root, shard, "mutation.json"), "utf8")).files);
  for (const key of Object.keys(total)) total[key] += tally[key];
  console.log(`${shard.padEnd(12)} ${score(tally).padStart(6)} %  ${JSON.stringify(tally)}`);
}
console.log(`${"all".padEnd(12)} ${score(total).padStart(6)} %  ${JSON.stringify(total)}`);
