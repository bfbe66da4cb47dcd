// The third-party actions the generated workflows use, pinned by commit SHA as in the hand-written
// ones (each SHA checked against its repository's tag; a workflow test holds every file to one pin per action).
export const CHECKOUT = "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1";
export const SETUP_NODE = "actions/setup-node@820762786026740c76f36085b0efc47a31fe5020 # v7.0.0";
export const SETUP_TERRAFORM = "hashicorp/setup-terraform@dfe3c3f87815947d99a8997f908cb6525fc44e9e # v4.0.1";
export const AWS_CREDENTIALS =
  "aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c # v6.2.3";
export const UPLOAD_ARTIFACT = "actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f # v7.0.0";
export const DOWNLOAD_ARTIFACT = "actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c # v8.0.1";

/** A name as the suffix of a GitHub variable's name: "non-prod" → "NON_PROD". */
export const variableSuffix = (name: string) => name.toUpperCase().replace(/-/g, "_");

/** A job's first steps: the repository without a persisted token, and Node.js from env.NODE_VERSION with npm's cache. */
export const CHECKOUT_AND_NODE: readonly string[] = [
  `      - uses: ${CHECKOUT}`,
  "        with:",
  "          persist-credentials: false",
  `      - uses: ${SETUP_NODE}`,
  "        with:",
  "          node-version: ${{ env.NODE_VERSION }}",
  "          cache: npm",
];
