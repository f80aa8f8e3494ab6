// Request validation shared by the entity handlers. Messages name the field as the request spells it
// (`id.version`, `spec.template`), so a client sees exactly what to fix.
import { core } from "@aloft/idl";
import { InvalidArgumentError, MissingFieldError } from "../errors.ts";
import type { AdminContext } from "../context.ts";
import { groupOf } from "./group.ts";
import { cachedSetting } from "./entity-cache.ts";

export function requireString(value: string | undefined, field: string): string {
  if (value === undefined || value === "") throw new MissingFieldError(field);
  return value;
}

export function requirePresent<T>(value: T | undefined, field: string): T {
  if (value === undefined || value === null) throw new MissingFieldError(field);
  return value;
}

export function maxLength(value: string, field: string, max: number): void {
  if (value.length > max) throw new InvalidArgumentError(`${field} must be at most ${max} characters, got ${value.length}`);
}

export interface Key {
  project: string;
  domain: string;
  name: string;
  version: string;
}

const resourceTypeNames: Record<number, string> = {
  [core.ResourceType.TASK]: "task",
  [core.ResourceType.WORKFLOW]: "workflow",
  [core.ResourceType.LAUNCH_PLAN]: "launch plan",
};

/** A full identifier of a versioned entity; `resourceType` must be unset or match. */
export function requireIdentifier(id: core.Identifier | undefined, field: string, resourceType: core.ResourceType): Key {
  const present = requirePresent(id, field);
  if (present.resourceType !== core.ResourceType.UNSPECIFIED && present.resourceType !== resourceType) {
    throw new InvalidArgumentError(
      `${field}.resource_type is ${core.ResourceType[present.resourceType]} but this request is for a ${resourceTypeNames[resourceType]}`,
    );
  }
  const key = {
    project: requireString(present.project, `${field}.project`),
    domain: requireString(present.domain, `${field}.domain`),
    name: requireString(present.name, `${field}.name`),
    version: requireString(present.version, `${field}.version`),
  };
  for (const [k, v] of Object.entries(key)) maxLength(v, `${field}.${k}`, 255);
  return key;
}

/** Project must be registered and active, and the domain one of the configured domains (as flyteadmin checks). */
export async function requireProjectAndDomain(ctx: AdminContext, project: string, domain: string): Promise<void> {
  // Kept up to a second (dropped at once when this server changes a project); concurrent misses share one read.
  const state = await cachedSetting(ctx.db as never, `project:${project}`, () => groupOf(ctx, "project-state", (ids: string[]) => projectStates(ctx, ids)).run(project));
  if (state === undefined) throw new InvalidArgumentError(`failed to validate that project [${project}] and domain [${domain}] are registered: project not found`);
  if (state !== 0) throw new InvalidArgumentError(`project [${project}] is not active`);
  if (!ctx.domains.some((d) => d.id === domain)) {
    throw new InvalidArgumentError(`domain [${domain}] is not one of the configured domains (${ctx.domains.map((d) => d.id).join(", ")})`);
  }
}

async function projectStates(ctx: AdminContext, ids: string[]): Promise<(number | undefined)[]> {
  const rows = await ctx.db.selectFrom("admin_projects").select(["identifier", "state"]).where("identifier", "in", [...new Set(ids)]).execute();
  const state = new Map(rows.map((r) => [r.identifier, r.state]));
  return ids.map((id) => state.get(id));
}

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function requireDnsLabel(value: string, field: string): void {
  if (value.length > 63 || !dns1123Label.test(value)) {
    throw new InvalidArgumentError(`invalid ${field} [${value}]: must be a DNS-1123 label (lowercase letters, digits and '-', at most 63 characters)`);
  }
}
