// Public surface of @aloft/engine.
export { openDatabase, type Database, type OpenDatabaseOptions } from "./db/database.ts";
export { migrate, type Migration } from "./db/migrations.ts";
export * from "./errors.ts";
