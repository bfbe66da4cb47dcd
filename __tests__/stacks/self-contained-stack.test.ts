import { Instance } from "@cdktf/provider-aws/lib/instance";
import { App, TerraformOutput, TerraformStack, Testing } from "cdktf";
import { join } from "path";
import { SelfContainedStack } from "../../stacks/self-contained-stack";

class Bare extends SelfContainedStack {}

describe("SelfContainedStack", () => {
  it("keeps cdktf's preparation of a backend: a stack that declares none gets the local one", () => {
    const stack = new Bare(Testing.app(), "bare");
    stack.prepareStack();
    expect(JSON.parse(Testing.synth(stack)).terraform.backend).toEqual({
      local: { path: join(process.cwd(), "terraform.bare.tfstate") },
    });
  });

  it("skips cdktf's search for references to other stacks, which a plain stack makes (the outputs it adds)", () => {
    const outputsOfOrigin = (Stack: new (scope: App, id: string) => TerraformStack) => {
      const app = Testing.app();
      const origin = new Stack(app, "origin");
      const instance = new Instance(origin, "instance", { ami: "ami-12345678" });
      const user = new Stack(app, "user");
      new TerraformOutput(user, "id", { value: instance.id });
      origin.prepareStack();
      user.prepareStack();
      return Object.keys(JSON.parse(Testing.synth(origin)).output ?? {});
    };
    expect(outputsOfOrigin(TerraformStack)).toEqual(["cross-stack-output-aws_instanceinstanceid"]);
    expect(outputsOfOrigin(Bare)).toEqual([]);
  });
});
