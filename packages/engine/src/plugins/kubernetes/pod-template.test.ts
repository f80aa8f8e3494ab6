import { describe, expect, it } from "vitest";
import { mergeDeep, mergeWithTemplate } from "./pod-template.ts";

describe("pod template merge", () => {
  it("applies the default container to every container and the primary one to the primary container only", () => {
    const template = {
      metadata: { labels: { team: "ml", "execution-id": "template" } },
      spec: {
        containers: [
          { name: "default", image: "base:1", env: [{ name: "FROM_DEFAULT", value: "1" }] },
          { name: "primary", env: [{ name: "FROM_PRIMARY", value: "1" }], volumeMounts: [{ name: "cache", mountPath: "/cache" }] },
          { name: "not-kept", image: "sidecar:1" },
        ],
        volumes: [{ name: "cache", emptyDir: {} }],
        nodeSelector: { pool: "cpu" },
        restartPolicy: "Always",
      },
    };
    const spec = {
      containers: [
        { name: "task", image: "task:2", command: ["python"], env: [{ name: "TASK", value: "1" }] },
        { name: "side", command: ["sleep"] },
      ],
      restartPolicy: "Never",
    };
    const { spec: merged, metadata } = mergeWithTemplate(template, spec, { labels: { "execution-id": "e1" } }, "task");
    expect(merged.containers.map((c) => c.name)).toEqual(["task", "side"]);
    expect(merged.containers[0]).toEqual({
      name: "task",
      image: "task:2",
      command: ["python"],
      env: [{ name: "FROM_DEFAULT", value: "1" }, { name: "FROM_PRIMARY", value: "1" }, { name: "TASK", value: "1" }],
      volumeMounts: [{ name: "cache", mountPath: "/cache" }],
    });
    expect(merged.containers[1]).toEqual({ name: "side", image: "base:1", command: ["sleep"], env: [{ name: "FROM_DEFAULT", value: "1" }] });
    expect(merged.volumes).toEqual([{ name: "cache", emptyDir: {} }]);
    expect(merged.nodeSelector).toEqual({ pool: "cpu" });
    expect(merged.restartPolicy).toBe("Never");
    expect(metadata.labels).toEqual({ team: "ml", "execution-id": "e1" });
  });

  it("lets a task's command and args replace the template's instead of appending", () => {
    const t = { spec: { containers: [{ name: "default", command: ["sh"], args: ["-c", "true"] }] } };
    const { spec } = mergeWithTemplate(t, { containers: [{ name: "x", command: ["python"], args: ["main.py"] }] }, {}, "x");
    expect(spec.containers[0]).toMatchObject({ command: ["python"], args: ["main.py"] });
  });

  it("keeps the pod unchanged without a template", () => {
    const spec = { containers: [{ name: "x" }] };
    expect(mergeWithTemplate(undefined, spec, {}, "x").spec).toBe(spec);
  });

  it("never lets undefined override a value", () => {
    expect(mergeDeep({ a: 1, b: { c: 2 } }, { a: undefined, b: { d: 3 } } as never)).toEqual({ a: 1, b: { c: 2, d: 3 } });
  });
});
