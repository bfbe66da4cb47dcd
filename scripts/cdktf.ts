// `npm run cdktf -- <command>` (and `npm run synth`): the cdktf CLI with the Terraform CLI
// configuration this machine needs. Where TF_CLI_CONFIG_FILE names no file (as on machines without
// the registry), it uses the project's own: the offline provider mirror and a shared plugin cache.
import { spawnSync } from "child_process";
import { existsSync } from "fs";
import { join } from "path";
import { findProviderMirror, projectRoot, writeCliConfig } from "./terraform/tools";

const configured = process.env.TF_CLI_CONFIG_FILE;
const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: "1" };
if (configured !== undefined && !existsSync(configured)) env.TF_CLI_CONFIG_FILE = writeCliConfig(findProviderMirror());

const cli = join(projectRoot(), "node_modules", ".bin", "cdktf");
const result = spawnSync(cli, process.argv.slice(2), { stdio: "inherit", env });
process.exitCode = result.status ?? 1;
