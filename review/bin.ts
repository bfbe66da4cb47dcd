// Entry point of `npm run review`: the real clock, folder and streams.
import { main } from "./cli";

main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  now: new Date(),
  cwd: process.cwd(),
}).then(
  (code) => (process.exitCode = code),
  (error) => {
    console.error(`review failed unexpectedly: ${error instanceof Error ? error.stack : String(error)}`);
    process.exitCode = 2;
  },
);
