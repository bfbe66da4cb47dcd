/** Two tiers: `unit` asserts what the code emits; `terraform` lets Terraform, the provider and moto judge it. */
const transform = { "^.+\\.ts$": "ts-jest" }; // tsconfig sets isolatedModules: files are transpiled alone; `npm run typecheck` checks types
module.exports = {
  globalSetup: "<rootDir>/__tests__/support/global-setup.js",
  globalTeardown: "<rootDir>/__tests__/support/global-teardown.js",
  projects: [
    { displayName: "unit", testEnvironment: "node", transform, testMatch: ["<rootDir>/__tests__/**/*.test.ts"], testPathIgnorePatterns: ["/__tests__/terraform/", "\\.moto\\.test\\.ts$"] },
    // Needs Terraform, the provider mirror or moto_server: the tests that use real tools.
    { displayName: "terraform", testEnvironment: "node", transform, testMatch: ["<rootDir>/__tests__/terraform/**/*.test.ts", "<rootDir>/__tests__/**/*.moto.test.ts"] },
  ],
};
