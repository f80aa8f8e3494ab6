// Tables of authentication, authorization and the audit log, under a migration package of their own so they
// evolve apart from the admin tables.
import { sql, type Generated } from "kysely";
import type { Migration } from "@aloft/engine";
import type { AuditEntry } from "../audit/audit-log.ts";

const ts = "timestamptz not null default now()";

export const authMigrations: Migration[] = [
  {
    package: "@aloft/server/auth",
    version: 1,
    name: "api keys, grants, audit log",
    up: async (db) => {
      for (const s of [
        // Only a SHA-256 of the key's secret is kept: the key is shown once, when created.
        `create table auth_api_keys (id text primary key, name text not null, secret_sha256 text not null,
          created_by text not null, created_at ${ts}, revoked_at timestamptz)`,
        `create table auth_grants (principal text not null, project text not null, domain text not null, role text not null,
          created_by text not null, created_at ${ts}, primary key (principal, project, domain, role))`,
        `create table auth_audit (id bigserial primary key, at ${ts}, principal text not null, action text not null,
          project text not null default '', domain text not null default '', resource text not null default '',
          outcome text not null)`,
        `create index auth_audit_project on auth_audit (project, at desc)`,
      ]) {
        await sql.raw(s).execute(db);
      }
    },
  },
];

export interface ApiKeyRow {
  id: string;
  name: string;
  secret_sha256: string;
  created_by: string;
  created_at: Generated<Date>;
  revoked_at: Date | null;
}

export interface GrantRow {
  principal: string;
  project: string;
  domain: string;
  role: string;
  created_by: string;
  created_at: Generated<Date>;
}

/** An audit entry as stored: the entry with its id and time. */
export interface AuditRow extends AuditEntry {
  id: Generated<string>;
  at: Generated<Date>;
}

export interface AuthTables {
  auth_api_keys: ApiKeyRow;
  auth_grants: GrantRow;
  auth_audit: AuditRow;
}
