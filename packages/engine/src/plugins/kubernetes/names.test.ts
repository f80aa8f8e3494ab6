import { describe, expect, it } from "vitest";
import { labelValue, namespaceFor, podName, toDns1123 } from "./names.ts";

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

describe("pod names", () => {
  it("joins execution, node and attempt as Flyte's generated names do", () => {
    expect(podName("f3a9c0", "n0", 0)).toBe("f3a9c0-n0-0");
    expect(podName("f3a9c0", "n0", 2)).toBe("f3a9c0-n0-2");
  });

  it("is the same for the same attempt and different for another", () => {
    expect(podName("abc", "n1/dynamic/n0", 1)).toBe(podName("abc", "n1/dynamic/n0", 1));
    expect(podName("abc", "n1/dynamic/n0", 1)).not.toBe(podName("abc", "n1/dynamic/n0", 0));
  });

  it("makes nested node paths and upper case DNS-1123 labels, hashed so they cannot collide", () => {
    const a = podName("Exec", "n1/dynamic/n0_x", 0);
    const b = podName("Exec", "n1-dynamic-n0-x", 0);
    expect(a).toMatch(DNS1123_LABEL);
    expect(b).toMatch(DNS1123_LABEL);
    expect(a).not.toBe(b);
  });

  it("shortens a long name to 63 characters with a hash of the whole", () => {
    const long = podName("x".repeat(40), "n0/dynamic/n12/dynamic/n7/3", 4);
    const other = podName("x".repeat(40), "n0/dynamic/n12/dynamic/n7/4", 4);
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(DNS1123_LABEL);
    expect(long).not.toBe(other);
  });

  it("converts arbitrary text", () => {
    expect(toDns1123("__Hello World__")).toBe("hello-world");
  });
});

describe("label values and namespaces", () => {
  it("keeps label values within 63 valid characters", () => {
    expect(labelValue("my.task:name")).toBe("my.task-name");
    const v = labelValue(`workflows.${"a".repeat(100)}`);
    expect(v.length).toBeLessThanOrEqual(63);
    expect(v).toMatch(/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/);
  });

  it("fills project and domain into the namespace template", () => {
    expect(namespaceFor("{{project}}-{{domain}}", "flytesnacks", "development")).toBe("flytesnacks-development");
    expect(namespaceFor("{{ project }}", "Team_A", "x")).toBe("team-a");
    expect(namespaceFor("default", "p", "d")).toBe("default");
  });
});
