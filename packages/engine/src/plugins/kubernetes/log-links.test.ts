import { describe, expect, it } from "vitest";
import { core } from "@aloft/idl";
import { logLinks } from "./log-links.ts";

const pod = {
  metadata: { name: "abc-n0-0", namespace: "flytesnacks-development", uid: "u-1" },
  spec: { containers: [], nodeName: "node-7" },
  status: {
    startTime: new Date("2026-01-01T00:00:00.250Z"),
    containerStatuses: [{ name: "abc-n0-0", image: "x", imageID: "", ready: false, restartCount: 0, containerID: "containerd://deadbeef", state: { terminated: { exitCode: 0, finishedAt: new Date("2026-01-01T00:01:00Z") } } }],
  },
};
const task = {
  executionId: { project: "flytesnacks", domain: "development", name: "abc" },
  taskId: { project: "flytesnacks", domain: "development", name: "wf.t", version: "v1" },
  nodeId: "n0",
  attempt: 0,
  primaryContainerName: "abc-n0-0",
};

describe("log links", () => {
  it("fills Flyte's log template variables", () => {
    const links = logLinks(
      [
        { displayName: "Kubernetes Logs", templateUris: ["https://dash/#!/log/{{ .namespace }}/{{ .podName }}/pod?namespace={{.namespace}}"] },
        { displayName: "CloudWatch", templateUris: ["https://cw/#logEventViewer:group=/flyte;stream=var.log.containers.{{ .podName }}_{{ .namespace }}_{{ .containerName }}-{{ .containerId }}.log;start={{ .podUnixStartTime }};end={{.podUnixFinishTime}}"], messageFormat: "JSON" },
      ],
      pod,
      task,
    );
    expect(links.map((l) => [l.name, l.uri, l.messageFormat])).toEqual([
      ["Kubernetes Logs", "https://dash/#!/log/flytesnacks-development/abc-n0-0/pod?namespace=flytesnacks-development", core.TaskLog_MessageFormat.UNKNOWN],
      ["CloudWatch", "https://cw/#logEventViewer:group=/flyte;stream=var.log.containers.abc-n0-0_flytesnacks-development_abc-n0-0-deadbeef.log;start=1767225600;end=1767225660", core.TaskLog_MessageFormat.JSON],
    ]);
  });

  it("fills execution and task variables and RFC 3339 times", () => {
    const [l] = logLinks([{ displayName: "x", templateUris: ["{{.executionProject}}/{{.executionName}}/{{.nodeID}}/{{.taskRetryAttempt}}/{{.taskID}}/{{.podRFC3339StartTime}}/{{.nodeName}}"] }], pod, task);
    expect(l!.uri).toBe("flytesnacks/abc/n0/0/wf.t/2026-01-01T00:00:00Z/node-7");
  });

  it("leaves unknown variables as they are", () => {
    expect(logLinks([{ displayName: "x", templateUris: ["{{ .nope }}"] }], pod, task)[0]!.uri).toBe("{{ .nope }}");
  });
});
