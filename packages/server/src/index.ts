// Public surface of @aloft/server: the Flyte-compatible control plane.
export { startAloft, ALOFT_VERSION, type Aloft, type AloftOptions } from "./app.ts";
export { loadConfig, defaultConfig, type AloftConfig, type LoadConfigOptions } from "./config.ts";
export { startAdminServer, type AdminServer, type AdminServerOptions } from "./server.ts";
export type { AdminContext, ExecutionLauncher, LaunchRequest, DomainConfig } from "./context.ts";
export { serverMigrations } from "./db/migrations.ts";
export { AdminError, InvalidArgumentError, NotFoundError, AlreadyExistsError, FailedPreconditionError, UnimplementedError, type AdminErrorCode } from "./errors.ts";
export { echoPlugin } from "./execution/echo-plugin.ts";
export { backfill, scheduleSlots, Scheduler, scheduledExecutionName } from "./scheduler/scheduler.ts";
