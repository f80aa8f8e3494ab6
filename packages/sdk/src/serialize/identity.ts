// Names and module locations of entities. The task runtime finds a task by module path and exported name, so a
// task that runs remotely must be exported; the Flyte name defaults to `<module dotted>.<export>` like flytekit's
// `<python module>.<function>`.
import { realpathSync } from "node:fs";
import { relative, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { SerializationError } from "../errors.ts";
import type { Entity } from "../entity.ts";

export interface Identity {
  name: string;
  /** Module path relative to the project root (POSIX separators). */
  modulePath: string;
  /** Exported name, or undefined when the entity is not exported. */
  exportName: string | undefined;
}

/** Generated entities and the entity each was made from (see IdentityResolver.#resolve). */
const generatedFrom = new WeakMap<Entity, Entity>();

/** Marks `entity` as generated from `from`: it is found where `from` is, under its own explicit name. */
export function markGenerated(entity: Entity, from: Entity): void {
  generatedFrom.set(entity, from);
}

const exportsCache = new Map<string, Promise<Record<string, unknown>>>();

/** Imports a module (once) to read its exports. */
export function moduleExports(file: string): Promise<Record<string, unknown>> {
  let p = exportsCache.get(file);
  if (!p) {
    p = import(pathToFileURL(file).href) as Promise<Record<string, unknown>>;
    exportsCache.set(file, p);
  }
  return p;
}

function isMainScript(file: string): boolean {
  const main = process.argv[1];
  if (!main) return false;
  try {
    return realpathSync(main) === realpathSync(file);
  } catch {
    return false;
  }
}

/**
 * Where the task runtime found entities: module path (relative to the bundle root, recorded at registration) and
 * export name. Code bundles concatenate every module into one file, so a stack trace cannot tell which module
 * defined an entity; the runtime records each module's exports as it loads them, and that record wins.
 */
const recordedLocations = new WeakMap<object, { modulePath: string; exportName: string }>();

/**
 * Records the entities a module exports under its module path. Modules must be recorded in evaluation order
 * (dependencies first): an entity keeps its first location, the module that defined it, not a later re-export.
 */
export function recordModuleLocations(modulePath: string, exports: Record<string, unknown>): void {
  for (const [exportName, value] of Object.entries(exports)) {
    if ((typeof value !== "function" && typeof value !== "object") || value === null) continue;
    if (typeof (value as { entityKind?: unknown }).entityKind !== "string" || recordedLocations.has(value)) continue;
    recordedLocations.set(value, { modulePath, exportName });
  }
}

const codeBundleFiles = new Set<string>();

/** Marks a file as a code bundle: an entity it defines that no module exported has no module path to run by. */
export function recordCodeBundleFile(file: string): void {
  codeBundleFiles.add(file);
}

/** The Flyte name of an exported entity: `<module dotted>.<export>`; a package's modules drop `node_modules/`. */
export function defaultName(modulePath: string, exportName: string): string {
  const module = modulePath.replace(/^(?:.*\/)?node_modules\//, "").replace(/\.[cm]?[jt]sx?$/, "");
  return `${module.replaceAll("/", ".")}.${exportName}`;
}

export function modulePathOf(file: string, root: string): string {
  const rel = relative(root, file);
  if (rel.startsWith("..")) throw new SerializationError(`${file} is outside the project root ${root}`);
  return rel.split(sep).join("/");
}

export class IdentityResolver {
  readonly #cache = new Map<Entity, Promise<Identity>>();

  constructor(
    readonly root: string,
    /** Local runs allow unexported entities when they have an explicit name. */
    readonly allowUnexported: boolean,
  ) {}

  identify(entity: Entity, what: string): Promise<Identity> {
    let p = this.#cache.get(entity);
    if (!p) {
      p = this.#resolve(entity, what);
      this.#cache.set(entity, p);
    }
    return p;
  }

  async #resolve(entity: Entity, what: string): Promise<Identity> {
    // A generated entity (the workflow that runs a Flyte 2 task) lives where the entity it wraps does.
    const wraps = generatedFrom.get(entity);
    if (wraps && entity.explicitName) {
      const base = await this.identify(wraps, what);
      return { name: entity.explicitName, modulePath: base.modulePath, exportName: undefined };
    }
    const recorded = recordedLocations.get(entity);
    if (recorded) return { name: entity.explicitName ?? defaultName(recorded.modulePath, recorded.exportName), ...recorded };
    if (entity.definedIn === "<unknown>") {
      if (entity.explicitName && this.allowUnexported) return { name: entity.explicitName, modulePath: "", exportName: undefined };
      throw new SerializationError(`cannot tell which file defined ${what}; give it a name`);
    }
    if (codeBundleFiles.has(entity.definedIn)) {
      throw new SerializationError(`${what} is not exported from the module that defines it (in the code bundle); export it so the task runtime can find it`);
    }
    const modulePath = modulePathOf(entity.definedIn, this.root);
    // Local runs of named entities need no export name (tasks run in-process; the runtime also finds tasks by name),
    // and importing the module could deadlock when it is the script being evaluated (top-level await).
    if (entity.explicitName && this.allowUnexported) return { name: entity.explicitName, modulePath, exportName: undefined };
    if (isMainScript(entity.definedIn)) {
      throw new SerializationError(`${what} is defined in the script being run (${modulePath}); give it a name or define it in a module the script imports`);
    }
    let exportName: string | undefined;
    try {
      const exports = await moduleExports(entity.definedIn);
      exportName = Object.keys(exports).find((k) => exports[k] === entity);
    } catch (e) {
      if (!this.allowUnexported) throw new SerializationError(`cannot import ${modulePath} to find ${what}: ${(e as Error).message}`);
    }
    if (exportName === undefined) {
      if (entity.explicitName && this.allowUnexported) return { name: entity.explicitName, modulePath, exportName };
      throw new SerializationError(
        `${what} (defined in ${modulePath}) is not exported from its module; export it so the task runtime can find it${this.allowUnexported ? ", or give it a name" : ""}`,
      );
    }
    return { name: entity.explicitName ?? defaultName(modulePath, exportName), modulePath, exportName };
  }
}
