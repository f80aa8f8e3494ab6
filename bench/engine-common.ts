// Shared setup for the engine benchmarks: stores, closures, timing and memory figures.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import pg from "pg";
import { core, types } from "@aloft/idl";
import { FileSystemBlobStore } from "@aloft/storage";
import { MemoryBlobStore, engineMigrations, catalogMigrations, openDatabase, type Database, type BlobStore } from "@aloft/engine";

export type StoreKind = "memory" | "pglite" | "postgres";

export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

export interface BenchStore {
  store: "memory" | Database;
  blobs: BlobStore;
  metadataPrefix: string;
  cleanup(): Promise<void>;
}

export async function openStore(kind: StoreKind): Promise<BenchStore> {
  const dir = mkdtempSync(join(tmpdir(), "aloft-bench-"));
  if (kind === "memory") return { store: "memory", blobs: new MemoryBlobStore(), metadataPrefix: "memory://bench", cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  // --no-fsync: blobs survive a process crash (page cache) but not power loss; shows the fsync cost.
  const blobs = new FileSystemBlobStore({ root: `file://${dir}/blobs`, durable: !process.argv.includes("--no-fsync") });
  const metadataPrefix = `file://${dir}/blobs/metadata`;
  if (kind === "pglite") {
    const db = await openDatabase({ dataDir: join(dir, "db"), migrations: [...engineMigrations, ...catalogMigrations] });
    return { store: db, blobs, metadataPrefix, cleanup: async () => (await db.close(), rmSync(dir, { recursive: true, force: true })) };
  }
  const name = `aloft_bench_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: "postgres://postgres@127.0.0.1:5432/test" });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const db = await openDatabase({ url: `postgres://postgres@127.0.0.1:5432/${name}`, migrations: [...engineMigrations, ...catalogMigrations] });
  return {
    store: db,
    blobs,
    metadataPrefix,
    cleanup: async () => {
      await db.close();
      // The pool's sockets may still be closing: a forced drop would kill them and crash the
      // process with an unhandled pool error, so give them a moment first.
      for (let i = 0; ; i++) {
        try {
          await admin.query(i < 20 ? `drop database ${name}` : `drop database ${name} with (force)`);
          break;
        } catch (err) {
          if (i >= 20) throw err;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      await admin.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function tsTask(name: string, opts: { cache?: boolean } = {}): core.TaskTemplate {
  return create(core.TaskTemplateSchema, {
    id: { resourceType: core.ResourceType.TASK, project: "bench", domain: "dev", name, version: "v1" },
    type: "aloft",
    metadata: { discoverable: opts.cache ?? false, discoveryVersion: opts.cache ? "1" : "" },
    interface: {
      inputs: { variables: { x: { type: types.integer() } } },
      outputs: { variables: { o: { type: types.integer() } } },
    },
    target: {
      case: "container",
      value: { image: "aloft", args: ["aloft-task", "--inputs", "{{.input}}", "--output-prefix", "{{.outputPrefix}}", "--raw-output-data-prefix", "{{.rawOutputDataPrefix}}", "--module", "bench/engine-runtime.ts", "--task", name] },
    },
  });
}

const promise = (nodeId: string, v: string) => create(core.BindingDataSchema, { value: { case: "promise", value: { nodeId, var: v } } });

export function chainClosure(t: core.TaskTemplate, n: number): core.CompiledWorkflowClosure {
  const nodes = Array.from({ length: n }, (_, i) =>
    create(core.NodeSchema, {
      id: `n${i}`,
      inputs: [{ var: "x", binding: i === 0 ? promise("start-node", "x") : promise(`n${i - 1}`, "o") }],
      target: { case: "taskNode", value: { reference: { case: "referenceId", value: t.id! } } },
    }),
  );
  return create(core.CompiledWorkflowClosureSchema, {
    primary: {
      template: {
        id: { resourceType: core.ResourceType.WORKFLOW, project: "bench", domain: "dev", name: `chain${n}`, version: "v1" },
        interface: { inputs: { variables: { x: { type: types.integer() } } }, outputs: { variables: { o: { type: types.integer() } } } },
        nodes,
        outputs: [{ var: "o", binding: promise(`n${n - 1}`, "o") }],
      },
      connections: {},
    },
    tasks: [{ template: t }],
  });
}

export function mapClosure(t: core.TaskTemplate): core.CompiledWorkflowClosure {
  const sub = create(core.NodeSchema, { id: "sub", target: { case: "taskNode", value: { reference: { case: "referenceId", value: t.id! } } } });
  const arr = create(core.NodeSchema, { id: "map", inputs: [{ var: "x", binding: promise("start-node", "xs") }], target: { case: "arrayNode", value: { node: sub } } });
  return create(core.CompiledWorkflowClosureSchema, {
    primary: {
      template: {
        id: { resourceType: core.ResourceType.WORKFLOW, project: "bench", domain: "dev", name: "map", version: "v1" },
        interface: { inputs: { variables: { xs: { type: types.list(types.integer()) } } }, outputs: { variables: { o: { type: types.list(types.integer()) } } } },
        nodes: [arr],
        outputs: [{ var: "o", binding: promise("map", "o") }],
      },
      connections: {},
    },
    tasks: [{ template: t }],
  });
}

export function execId(name: string): core.WorkflowExecutionIdentifier {
  return create(core.WorkflowExecutionIdentifierSchema, { project: "bench", domain: "dev", name });
}

export const mib = (b: number) => (b / 1024 / 1024).toFixed(1);
