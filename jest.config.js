/** Two tiers: `unit` asserts what the code emits; `terraform` lets Terraform, the provider and moto judge it. */
const common = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": "ts-jest" }, // tsconfig sets isolatedModules: files are transpiled alone; `npm run typecheck` checks types
  cacheDirectory: "<rootDir>/.cache/jest", // not /tmp: the tests write only under the ignored .cache/
  setupFilesAfterEnv: ["<rootDir>/__tests__/support/cdktf-matchers.ts"],
  modulePathIgnorePatterns: ["<rootDir>/.cache/"], // copies of the project (mutation sandboxes, test runs) live there
};
module.exports = {
  globalSetup: "<rootDir>/__tests__/support/global-setup.js",
  globalTeardown: "<rootDir>/__tests__/support/global-teardown.js",
  projects: [
    {
      ...common,
      displayName: "unit",
      testMatch: ["<rootDir>/__tests__/**/*.test.ts"],
      testPathIgnorePatterns: ["/__tests__/terraform/", "\\.moto\\.test\\.ts$"],
    },
    // Needs Terraform, the provider mirror or moto_server: the tests that use real tools.
    {
      ...common,
      displayName: "terraform",
      testMatch: ["<rootDir>/__tests__/terraform/**/*.test.ts", "<rootDir>/__tests__/**/*.moto.test.ts"],
    },
  ],
};
