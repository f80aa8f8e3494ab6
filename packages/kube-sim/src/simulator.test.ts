// The simulator checked with a client no one here wrote: @kubernetes/client-node's API classes, its Watch and
// its informer (list + watch with resourceVersion, relist on 410 Gone).
import { ApiException, CoreV1Api, KubeConfig, makeInformer, Watch, type ListWatch, type V1Pod } from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startKubeSimulator, type KubeSimulator } from "./index.ts";

let sim: KubeSimulator;
let kc: KubeConfig;
let api: CoreV1Api;
let requests: string[];

const pod = (name: string, labels: Record<string, string> = {}, command = ["true"]): V1Pod => ({
  metadata: { name, labels },
  spec: { restartPolicy: "Never", containers: [{ name: "main", image: "busybox", command }] },
});

async function until<T>(f: () => T | undefined | Promise<T | undefined>, what: string, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function apiError(p: Promise<unknown>): Promise<{ code: number; body: { reason: string; message: string; details?: { causes?: { field: string }[] } } }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiException) return { code: e.code, body: typeof e.body === "string" ? JSON.parse(e.body) : e.body };
    throw e;
  }
  throw new Error("expected the call to fail");
}

beforeEach(async () => {
  requests = [];
  sim = await startKubeSimulator({ namespaces: ["work"], bookmarkMs: 50, onRequest: (m, u) => requests.push(`${m} ${u}`), kubelet: { outcome: () => ({ kind: "hang" }) } });
  kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig("work"));
  api = kc.makeApiClient(CoreV1Api);
});
afterEach(async () => {
  await sim.close();
});

describe("the Kubernetes API simulator", () => {
  it("creates, gets, lists by label and deletes pods, with increasing resourceVersions", async () => {
    const a = await api.createNamespacedPod({ namespace: "work", body: pod("a", { app: "x" }) });
    const b = await api.createNamespacedPod({ namespace: "work", body: pod("b", { app: "y" }) });
    expect(Number(b.metadata!.resourceVersion)).toBeGreaterThan(Number(a.metadata!.resourceVersion));
    expect(a.metadata!.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect((await api.readNamespacedPod({ name: "a", namespace: "work" })).spec!.containers[0]!.image).toBe("busybox");
    const list = await api.listNamespacedPod({ namespace: "work", labelSelector: "app in (x,z)" });
    expect(list.items.map((p) => p.metadata!.name)).toEqual(["a"]);
    expect(Number(list.metadata!.resourceVersion)).toBeGreaterThanOrEqual(Number(b.metadata!.resourceVersion));
    expect((await api.listNamespacedPod({ namespace: "work", labelSelector: "app!=x" })).items.map((p) => p.metadata!.name)).toEqual(["b"]);
    expect((await api.listNamespacedPod({ namespace: "work", fieldSelector: "metadata.name=b" })).items).toHaveLength(1);
    await api.deleteNamespacedPod({ name: "a", namespace: "work" });
    expect((await apiError(api.readNamespacedPod({ name: "a", namespace: "work" }))).code).toBe(404);
  });

  it("answers Kubernetes' errors: AlreadyExists, Invalid with causes, a missing namespace, a stale update", async () => {
    await api.createNamespacedPod({ namespace: "work", body: pod("a") });
    const dup = await apiError(api.createNamespacedPod({ namespace: "work", body: pod("a") }));
    expect([dup.code, dup.body.reason]).toEqual([409, "AlreadyExists"]);
    const bad = await apiError(api.createNamespacedPod({ namespace: "work", body: { metadata: { name: "bad" }, spec: { containers: [{ image: "x" } as never] } } }));
    expect([bad.code, bad.body.reason]).toEqual([422, "Invalid"]);
    expect(bad.body.details!.causes!.map((c) => c.field)).toContain("spec.containers[0]");
    const badName = await apiError(api.createNamespacedPod({ namespace: "work", body: pod("Not_A_Name") }));
    expect(badName.code).toBe(422);
    const noNs = await apiError(api.createNamespacedPod({ namespace: "nowhere", body: pod("a") }));
    expect([noNs.code, noNs.body.message]).toEqual([404, 'namespaces "nowhere" not found']);
    const first = await api.readNamespacedPod({ name: "a", namespace: "work" });
    await api.replaceNamespacedPod({ name: "a", namespace: "work", body: { ...first, metadata: { ...first.metadata, labels: { v: "1" } } } });
    const stale = await apiError(api.replaceNamespacedPod({ name: "a", namespace: "work", body: { ...first, metadata: { ...first.metadata, labels: { v: "2" } } } }));
    expect([stale.code, stale.body.reason]).toEqual([409, "Conflict"]);
  });

  it("keeps status to the status subresource", async () => {
    const created = await api.createNamespacedPod({ namespace: "work", body: pod("a") });
    await until(async () => (await api.readNamespacedPod({ name: "a", namespace: "work" })).spec!.nodeName, "binding");
    const current = await api.readNamespacedPod({ name: "a", namespace: "work" });
    await api.replaceNamespacedPod({ name: "a", namespace: "work", body: { ...current, status: { phase: "Succeeded" } } });
    expect((await api.readNamespacedPod({ name: "a", namespace: "work" })).status!.phase).not.toBe("Succeeded");
    const again = await api.readNamespacedPod({ name: "a", namespace: "work" });
    await api.replaceNamespacedPodStatus({ name: "a", namespace: "work", body: { ...again, status: { phase: "Succeeded" } } });
    expect((await api.readNamespacedPod({ name: "a", namespace: "work" })).status!.phase).toBe("Succeeded");
    expect(created.metadata!.uid).toBe(again.metadata!.uid);
  });

  it("holds an object with finalizers until they are removed, and deletes what a deleted object owned", async () => {
    await api.createNamespacedPod({ namespace: "work", body: { ...pod("f"), metadata: { name: "f", finalizers: ["example.com/hold"] } } });
    await api.deleteNamespacedPod({ name: "f", namespace: "work" });
    // The kubelet may update the pod between our read and write (409 Conflict): read again and retry, as a
    // controller does.
    for (let attempt = 0; ; attempt++) {
      const held = await api.readNamespacedPod({ name: "f", namespace: "work" });
      expect(held.metadata!.deletionTimestamp).toBeDefined();
      const write = api.replaceNamespacedPod({ name: "f", namespace: "work", body: { ...held, metadata: { ...held.metadata, finalizers: [] } } });
      const failed = await write.then(() => undefined, (e: unknown) => e);
      if (failed === undefined) break;
      if ((failed as { code?: number }).code !== 409 || attempt >= 5) throw failed;
    }
    expect((await apiError(api.readNamespacedPod({ name: "f", namespace: "work" }))).code).toBe(404);

    const owner = await api.createNamespacedPod({ namespace: "work", body: pod("owner") });
    await api.createNamespacedConfigMap({
      namespace: "work",
      body: { metadata: { name: "owned", ownerReferences: [{ apiVersion: "v1", kind: "Pod", name: "owner", uid: owner.metadata!.uid! }] }, data: { a: "b" } },
    });
    await api.deleteNamespacedPod({ name: "owner", namespace: "work" });
    expect((await apiError(api.readNamespacedConfigMap({ name: "owned", namespace: "work" }))).code).toBe(404);
  });

  it("replays every change after a watch's resourceVersion, and sends bookmarks when asked", async () => {
    const a = await api.createNamespacedPod({ namespace: "work", body: pod("a", { app: "x" }) });
    await api.createNamespacedPod({ namespace: "work", body: pod("b", { app: "y" }) });
    await api.deleteNamespacedPod({ name: "a", namespace: "work" });
    const seen: string[] = [];
    const bookmarks: string[] = [];
    const controller = await new Watch(kc).watch(
      "/api/v1/namespaces/work/pods",
      { resourceVersion: a.metadata!.resourceVersion, labelSelector: "app=x", allowWatchBookmarks: true },
      (type, obj: V1Pod) => (type === "BOOKMARK" ? bookmarks.push(obj.metadata!.resourceVersion!) : seen.push(`${type} ${obj.metadata!.name}`)),
      () => undefined,
    );
    // Pod a was bound by the kubelet (MODIFIED), then deleted; b never matched the selector.
    await until(() => seen.includes("DELETED a") || undefined, "the replayed delete");
    await until(() => bookmarks.length > 0 || undefined, "a bookmark");
    controller.abort();
    expect(seen.filter((s) => s.endsWith(" b"))).toEqual([]);
    expect(Number(bookmarks[0])).toBeGreaterThan(Number(a.metadata!.resourceVersion));
  });

  it("answers 410 Gone to a watch from a compacted version, and client-node's informer relists", async () => {
    const informer = makeInformer(kc, "/api/v1/namespaces/work/pods", () => api.listNamespacedPod({ namespace: "work" }));
    const deleted: string[] = [];
    informer.on("delete", (p) => deleted.push(p.metadata!.name!));
    await api.createNamespacedPod({ namespace: "work", body: pod("gone-soon") });
    await informer.start();
    await until(() => informer.get("gone-soon", "work"), "the informer's list");
    const rv = (informer as unknown as ListWatch<V1Pod>).latestResourceVersion();

    const events: { type: string; code?: number }[] = [];
    await api.deleteNamespacedPod({ name: "gone-soon", namespace: "work" });
    await api.createNamespacedPod({ namespace: "work", body: pod("new") });
    sim.store("Pod").compact();
    await new Watch(kc).watch("/api/v1/namespaces/work/pods", { resourceVersion: rv }, (type, obj: { code?: number }) => events.push({ type, code: obj.code }), () => undefined);
    await until(() => events.length > 0 || undefined, "the 410");
    expect(events).toEqual([{ type: "ERROR", code: 410 }]);

    // The informer saw both changes live. Now the history moves past its version (etcd compacts the whole
    // cluster's revisions) while its watch is cut: it must get 410 on reconnecting, and relist.
    await until(() => informer.get("new", "work"), "the live add");
    const lists = () => requests.filter((r) => r.startsWith("GET /api/v1/namespaces/work/pods") && !r.includes("watch=")).length;
    const before = lists();
    await api.createNamespacedConfigMap({ namespace: "work", body: { metadata: { name: "bump" } } });
    sim.store("Pod").compact();
    sim.dropWatches();
    await until(() => lists() > before || undefined, "the informer's relist");
    await api.deleteNamespacedPod({ name: "new", namespace: "work" });
    await until(() => (informer.get("new", "work") === undefined ? true : undefined), "the informer to see the delete after relisting");
    await informer.stop();
    expect(deleted).toContain("gone-soon");
  });

  it("runs a pod's command as a local process with its env and secrets, and serves its log", async () => {
    sim.kubelet.outcome = () => ({ kind: "run" });
    await api.createNamespacedSecret({ namespace: "work", body: { metadata: { name: "s" }, data: { token: Buffer.from("t0ps3cret").toString("base64") } } });
    const body = pod("runner", {}, ["sh", "-c", 'echo "$GREETING from $HOSTNAME with $TOKEN"; exit 3']);
    body.spec!.containers[0]!.env = [
      { name: "GREETING", value: "hello" },
      { name: "TOKEN", valueFrom: { secretKeyRef: { name: "s", key: "token" } } },
    ];
    await api.createNamespacedPod({ namespace: "work", body });
    const done = await until(async () => {
      const p = await api.readNamespacedPod({ name: "runner", namespace: "work" });
      return p.status?.phase === "Failed" ? p : undefined;
    }, "the pod to fail");
    expect(done.status!.containerStatuses![0]!.state!.terminated!.exitCode).toBe(3);
    expect(await api.readNamespacedPodLog({ name: "runner", namespace: "work" })).toBe("hello from runner with t0ps3cret\n");
  });

  it("injects scheduler, image and node failures as a kubelet reports them", async () => {
    const outcomes = { u: { kind: "unschedulable" }, i: { kind: "waiting", reason: "ImagePullBackOff" }, o: { kind: "oomKilled" }, e: { kind: "evicted" } } as const;
    sim.kubelet.outcome = (p) => outcomes[p.metadata.name as keyof typeof outcomes];
    for (const name of Object.keys(outcomes)) await api.createNamespacedPod({ namespace: "work", body: pod(name) });
    const read = (name: string) => api.readNamespacedPod({ name, namespace: "work" });
    await until(async () => (await read("u")).status?.conditions?.find((c) => c.reason === "Unschedulable"), "unschedulable");
    await until(async () => (await read("i")).status?.containerStatuses?.[0]?.state?.waiting?.reason === "ImagePullBackOff" || undefined, "ImagePullBackOff");
    await until(async () => (await read("o")).status?.containerStatuses?.[0]?.state?.terminated?.reason === "OOMKilled" || undefined, "OOMKilled");
    await until(async () => (await read("e")).status?.reason === "Evicted" || undefined, "Evicted");
    expect((await read("o")).status!.phase).toBe("Failed");
  });
});
