import { App, AppConfig } from "cdktf";
import type { ResolvedEnvironment } from "../config/resolve";
import { VssBackupStack } from "./vss-backup-stack";

/** One stack per environment, named after it, in one cdktf App. */
export function buildApp(environments: readonly ResolvedEnvironment[], appConfig: AppConfig = {}): App {
  const app = new App(appConfig);
  for (const env of environments) new VssBackupStack(app, env);
  return app;
}
