// Launch plan rows as other entities read them (workflow compilation, executions, the scheduler).
import { create, fromBinary } from "@bufbuild/protobuf";
import { admin, core } from "@aloft/idl";
import type { AdminContext } from "../context.ts";
import type { LaunchPlanRow } from "../db/schema.ts";
import type { Key } from "./validate.ts";

export async function getLaunchPlanRow(ctx: AdminContext, key: Key): Promise<LaunchPlanRow | undefined> {
  return ctx.db.selectFrom("admin_launch_plans").selectAll().where("project", "=", key.project).where("domain", "=", key.domain).where("name", "=", key.name).where("version", "=", key.version).executeTakeFirst();
}

export function launchPlanIdentifier(k: Key): core.Identifier {
  return create(core.IdentifierSchema, { resourceType: core.ResourceType.LAUNCH_PLAN, project: k.project, domain: k.domain, name: k.name, version: k.version });
}

export function toLaunchPlan(row: LaunchPlanRow): admin.LaunchPlan {
  const closure = fromBinary(admin.LaunchPlanClosureSchema, row.closure);
  closure.state = row.state;
  return create(admin.LaunchPlanSchema, { id: launchPlanIdentifier(row), spec: fromBinary(admin.LaunchPlanSpecSchema, row.spec), closure });
}
