// cdktf's own Jest matchers (toHaveResourceWithProperties, toHaveDataSource, ...) for every test file.
import "cdktf/lib/testing/adapters/jest"; // the matchers' types
import { Testing } from "cdktf";

Testing.setupJest();
