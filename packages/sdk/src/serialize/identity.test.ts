import { describe, expect, it } from "vitest";
import { task } from "../task.ts";
import { t } from "../types/t.ts";
import { defaultName, IdentityResolver, recordCodeBundleFile, recordModuleLocations } from "./identity.ts";

const mk = (name?: string) => task({ inputs: { x: t.int() }, outputs: t.int(), ...(name ? { name } : {}) }, ({ x }) => x);

describe("entity identity", () => {
  it("names an entity after its module path; a package's module drops node_modules", () => {
    expect(defaultName("examples/multi-file/features.ts", "makeItems")).toBe("examples.multi-file.features.makeItems");
    expect(defaultName("node_modules/@acme/tasks/dist/index.js", "shout")).toBe("@acme.tasks.dist.index.shout");
    expect(defaultName("node_modules/a/node_modules/b/x.mjs", "y")).toBe("b.x.y");
  });

  it("uses the location the runtime recorded, the first module (the defining one) winning over re-exports", async () => {
    const inc = mk();
    const named = mk("custom-name");
    recordModuleLocations("lib/steps.ts", { inc, named, notAnEntity: { x: 1 }, n: 3 });
    recordModuleLocations("flow.ts", { plusOne: inc });
    // A root that does not hold the modules: recorded locations are not looked up on disk.
    const ids = new IdentityResolver("/nowhere", false);
    expect(await ids.identify(inc, "task")).toEqual({ name: "lib.steps.inc", modulePath: "lib/steps.ts", exportName: "inc" });
    expect(await ids.identify(named, "task")).toEqual({ name: "custom-name", modulePath: "lib/steps.ts", exportName: "named" });
  });

  it("rejects an unexported entity of a code bundle, which has no module path to run by", async () => {
    const hidden = mk("hidden");
    // Marks this test file as a bundle: last test of the file.
    recordCodeBundleFile(hidden.definedIn);
    await expect(new IdentityResolver("/", true).identify(hidden, "task hidden")).rejects.toThrow(
      "task hidden is not exported from the module that defines it (in the code bundle)",
    );
  });
});
