// Who is calling: a user from an identity provider's token, or an API key (directly or through a token the
// built-in endpoint issued for it). Grants name principals the same way: `user:<sub>`, `group:<name>`, `key:<id>`.

export interface Principal {
  /** `user:<sub>` or `key:<id>`. */
  subject: string;
  /** Group names from the token's groups claim (granted as `group:<name>`). */
  groups: string[];
  /** How the caller proved it: an API key, a token from the built-in endpoint, or one from the external issuer. */
  via: "api-key" | "built-in-token" | "external-token";
}

/** The names a principal may hold grants under. */
export function identitiesOf(p: Principal): string[] {
  return [p.subject, ...p.groups.map((g) => `group:${g}`)];
}
