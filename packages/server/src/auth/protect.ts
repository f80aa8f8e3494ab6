// Turns authentication on for a server's bindings: AuthMetadataService and IdentityService get their handlers,
// then every method of every service passes the guard.
import { create } from "@bufbuild/protobuf";
import { service } from "@aloft/idl";
import type { ServiceBinding } from "../transport/binding.ts";
import { guardBindings } from "./guard.ts";
import { authMetadataHandlers } from "./metadata.ts";
import type { AuthService } from "./service.ts";

export function protectBindings(bindings: ServiceBinding[], auth: AuthService): ServiceBinding[] {
  const served = bindings.map((b) => {
    if (b.service.typeName === service.AuthMetadataService.typeName) return { ...b, handlers: { ...b.handlers, ...authMetadataHandlers(auth) } };
    if (b.service.typeName === service.IdentityService.typeName) {
      return {
        ...b,
        handlers: {
          ...b.handlers,
          userInfo: async (_req: unknown, call: { headers: Headers }) => {
            const p = await auth.authenticate(call.headers);
            const name = p.subject.slice(p.subject.indexOf(":") + 1);
            return create(service.UserInfoResponseSchema, { subject: p.subject, name, preferredUsername: name });
          },
        },
      };
    }
    return b;
  });
  return guardBindings(served, auth);
}
