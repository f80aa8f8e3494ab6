import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { core } from "@aloft/idl";
import { applyResourceOverrides, parseQuantity, taskResources } from "./resources.ts";

const platform = { defaultRequests: { cpu: "1000m", memory: "1024Mi" }, maxLimits: {}, gpuResourceName: "nvidia.com/gpu" };
const R = core.Resources_ResourceName;
const res = (requests: [core.Resources_ResourceName, string][], limits: [core.Resources_ResourceName, string][] = []) =>
  create(core.ResourcesSchema, {
    requests: requests.map(([name, value]) => ({ name, value })),
    limits: limits.map(([name, value]) => ({ name, value })),
  });

describe("quantities", () => {
  it("reads Kubernetes' suffixes", () => {
    expect(parseQuantity("500m")).toBe(0.5);
    expect(parseQuantity("2")).toBe(2);
    expect(parseQuantity("1Gi")).toBe(2 ** 30);
    expect(parseQuantity("1G")).toBe(1e9);
    expect(parseQuantity("1e3")).toBe(1000);
  });
  it("rejects text that is not a quantity, naming the field", () => {
    expect(() => taskResources(res([[R.CPU, "lots"]]))).toThrow(/container\.resources\.requests\[0\]\.value.*not a Kubernetes quantity/);
  });
});

describe("resource overrides (Flyte's ApplyResourceOverrides)", () => {
  it("gives a task without resources the platform default requests as requests and limits", () => {
    expect(applyResourceOverrides(taskResources(undefined), platform)).toEqual({
      requests: { cpu: "1000m", memory: "1024Mi" },
      limits: { cpu: "1000m", memory: "1024Mi" },
    });
  });

  it("sets a missing limit from the request and a missing request from the limit", () => {
    expect(applyResourceOverrides(taskResources(res([[R.CPU, "2"]], [[R.MEMORY, "4Gi"]])), platform)).toEqual({
      requests: { cpu: "2", memory: "4Gi" },
      limits: { cpu: "2", memory: "4Gi" },
    });
  });

  it("caps requests and limits at the platform limit and a request at its limit", () => {
    const p = { ...platform, maxLimits: { cpu: "4", memory: "8Gi" } };
    expect(applyResourceOverrides(taskResources(res([[R.CPU, "3"], [R.MEMORY, "16Gi"]], [[R.CPU, "8"], [R.MEMORY, "2Gi"]])), p)).toEqual({
      requests: { cpu: "3", memory: "2Gi" },
      limits: { cpu: "4", memory: "2Gi" },
    });
  });

  it("maps gpu to the cluster's GPU resource name, request and limit alike, and drops storage", () => {
    expect(applyResourceOverrides(taskResources(res([[R.GPU, "1"], [R.STORAGE, "10Gi"]])), platform)).toEqual({
      requests: { cpu: "1000m", memory: "1024Mi", "nvidia.com/gpu": "1" },
      limits: { cpu: "1000m", memory: "1024Mi", "nvidia.com/gpu": "1" },
    });
    expect(applyResourceOverrides(taskResources(res([], [[R.GPU, "2"]])), { ...platform, gpuResourceName: "amd.com/gpu" }).requests).toMatchObject({ "amd.com/gpu": "2" });
  });

  it("handles ephemeral storage only when the task asks for it", () => {
    expect(applyResourceOverrides(taskResources(res([[R.EPHEMERAL_STORAGE, "5Gi"]])), platform).limits).toMatchObject({ "ephemeral-storage": "5Gi" });
  });

  it("only clamps containers other than the primary one", () => {
    expect(applyResourceOverrides({ requests: {}, limits: { cpu: "8" } }, { ...platform, maxLimits: { cpu: "4" } }, false)).toEqual({ limits: { cpu: "4" } });
  });
});
