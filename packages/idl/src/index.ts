// Public surface of @aloft/idl: FlyteIDL messages grouped by protobuf package, protobuf-es
// runtime helpers, and Aloft's literal and type helpers.
export * as core from "../gen/flyteidl_core.js";
export * as admin from "../gen/flyteidl_admin.js";
export * as event from "../gen/flyteidl_event.js";
export * as service from "../gen/flyteidl_service.js";
export * as plugins from "../gen/flyteidl_plugins.js";
export * as datacatalog from "../gen/flyteidl_datacatalog.js";
export * as cacheservice from "../gen/flyteidl_cacheservice.js";
export * as googleapi from "../gen/google_api.js";
export * from "./types.ts";
export * from "./literals.ts";
export * from "./values.ts";
export * from "./hash.ts";
