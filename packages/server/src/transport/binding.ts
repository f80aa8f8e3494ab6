// How a service's methods are bound to plain handler functions. The same binding feeds the Connect router
// (gRPC, gRPC-Web, Connect) and the REST gateway, so every transport runs exactly the same code.
import type { DescMessage, DescMethod, DescService, Message } from "@bufbuild/protobuf";

/** Per-request facts a handler may need; the application context is closed over when bindings are built. */
export interface CallInfo {
  signal: AbortSignal;
  headers: Headers;
}

export type UnaryHandler = (req: Message, call: CallInfo) => Promise<Message>;

export interface ServiceBinding {
  service: DescService;
  /** Keyed by the method's localName (for example `createTask`). Methods absent here answer UNIMPLEMENTED. */
  handlers: Record<string, UnaryHandler>;
}

export function methodSchemas(method: DescMethod): { input: DescMessage; output: DescMessage } {
  return { input: method.input, output: method.output };
}
