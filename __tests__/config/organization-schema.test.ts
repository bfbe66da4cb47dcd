import { templateLabel } from "../../config/organization-schema";

describe("templateLabel", () => {
  it.each<[string, unknown, string]>([
    ["by its name", { name: "prod" }, "templates[prod]"],
    ["by its place when its name is empty", { name: "" }, "templates[2]"],
    ["by its place when its name is not text", { name: 7 }, "templates[2]"],
    ["by its place when it has no name", {}, "templates[2]"],
    ["by its place when it is nothing", undefined, "templates[2]"],
  ])("names a template %s", (_, template, expected) => {
    expect(templateLabel(template, 2)).toBe(expected);
  });
});
