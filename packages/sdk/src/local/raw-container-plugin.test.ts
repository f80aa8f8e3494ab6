// shellTask and containerTask end to end in a local run; the protocol itself (input files, formats, output
// parsing, errors) is tested next to the engine's raw container plugin.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runWorkflow } from "./run.ts";
import { shellTask } from "../shell-task.ts";
import { containerTask } from "../container-task.ts";
import { task } from "../task.ts";
import { workflow } from "../workflow.ts";
import { t } from "../types/t.ts";
import { FlyteDirectory } from "../types/directory.ts";
import { FlyteFile } from "../types/file.ts";

const wordCount = shellTask({
  name: "test.word-count",
  inputs: { text: t.string(), doc: t.file("txt") },
  outputs: { words: t.int(), upper: t.file("txt"), ratio: t.float() },
  script: `printf %s "{{.inputs.text}}" | wc -w | tr -d " " > "$2/words"
tr a-z A-Z < "$1/doc" > "$2/upper"
echo 0.5 > "$2/ratio"`,
});

const makeDoc = task({ name: "test.make-doc", outputs: t.file("txt") }, () => FlyteFile.fromBytes("hello raw containers", "doc.txt"));

describe("raw container tasks in local runs", () => {
  it("passes inputs as files and templates, and reads typed outputs back", async () => {
    const wf = workflow({ name: "test.shell", inputs: { text: t.string() }, outputs: { words: t.int(), upper: t.file("txt"), ratio: t.float() } }, ({ text }) =>
      wordCount({ text, doc: makeDoc({}) }),
    );
    const { outputs } = await runWorkflow(wf, { text: "one two three" });
    expect(outputs.words).toBe(3);
    expect(outputs.ratio).toBe(0.5);
    expect(await outputs.upper.text()).toBe("HELLO RAW CONTAINERS");
  });

  it("hands a directory to a container task and takes one back through the local blob store", async () => {
    const src = mkdtempSync(join(tmpdir(), "aloft-raw-dir-"));
    writeFileSync(join(src, "a.txt"), "a");
    const listing = containerTask({
      name: "test.dir",
      image: "x",
      inputs: { d: t.directory() },
      outputs: t.directory(),
      command: ["/bin/sh", "-c", "cp -r /var/inputs/d /var/outputs/o0 && echo b > /var/outputs/o0/b.txt"],
    });
    const makeDir = task({ name: "test.make-dir", outputs: t.directory() }, () => FlyteDirectory.fromPath(src));
    const { outputs } = await runWorkflow(workflow({ name: "test.dir-wf", outputs: t.directory() }, () => listing({ d: makeDir({}) })), {});
    expect(await outputs.list()).toEqual(["a.txt", "b.txt"]);
    expect(await outputs.file("b.txt").text()).toBe("b\n");
  });
});
