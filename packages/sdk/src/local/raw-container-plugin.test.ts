import { describe, expect, it } from "vitest";
import { runWorkflow } from "./run.ts";
import { shellTask } from "../shell-task.ts";
import { containerTask } from "../container-task.ts";
import { task } from "../task.ts";
import { workflow } from "../workflow.ts";
import { t } from "../types/t.ts";
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

  it("names a missing output and a failing command", async () => {
    const silent = shellTask({ name: "test.silent", outputs: t.int(), script: "true" });
    await expect(runWorkflow(workflow({ name: "test.silent-wf", outputs: t.int() }, () => silent({})), {})).rejects.toThrow(/output o0 was not written to the output directory/);
    const bad = containerTask({ name: "test.bad", image: "x", command: ["/bin/sh", "-c", "echo nope >&2; exit 4"], outputs: t.int() });
    await expect(runWorkflow(workflow({ name: "test.bad-wf", outputs: t.int() }, () => bad({})), {})).rejects.toThrow(/exited with code 4: nope/);
  });

  it("refuses an output that does not parse as its type", async () => {
    const wrong = shellTask({ name: "test.wrong", outputs: t.int(), script: 'echo twelve > "$2/o0"' });
    await expect(runWorkflow(workflow({ name: "test.wrong-wf", outputs: t.int() }, () => wrong({})), {})).rejects.toThrow(/output o0: expected an integer, got "twelve"/);
  });
});
