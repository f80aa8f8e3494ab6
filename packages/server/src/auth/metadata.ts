// Flyte's AuthMetadataService, anonymous as in flyteadmin: how clients (flytekit, flytectl, the aloft CLI) log in.
// With an external issuer its endpoints are the provider's (from its discovery document); the built-in issuer
// offers client credentials at /oauth2/token, where an API key is the client secret.
import { create } from "@bufbuild/protobuf";
import { service } from "@aloft/idl";
import type { UnaryHandler } from "../transport/binding.ts";
import type { AuthService } from "./service.ts";
import { BUILT_IN_AUDIENCE } from "./issuer.ts";

export const TOKEN_PATH = "/oauth2/token";
export const JWKS_PATH = "/oauth2/jwks";

export function builtInMetadata(issuerUrl: string): Record<string, unknown> {
  return {
    issuer: issuerUrl,
    token_endpoint: `${issuerUrl}${TOKEN_PATH}`,
    jwks_uri: `${issuerUrl}${JWKS_PATH}`,
    grant_types_supported: ["client_credentials"],
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    response_types_supported: ["token"],
    scopes_supported: ["all"],
  };
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : []);
const str = (v: unknown): string => (typeof v === "string" ? v : "");

export function authMetadataHandlers(auth: AuthService): Record<string, UnaryHandler> {
  return {
    async getOAuth2Metadata() {
      const m = auth.external ? await auth.external.metadata() : builtInMetadata(auth.issuer.url);
      return create(service.OAuth2MetadataResponseSchema, {
        issuer: str(m.issuer),
        authorizationEndpoint: str(m.authorization_endpoint),
        tokenEndpoint: str(m.token_endpoint),
        responseTypesSupported: strings(m.response_types_supported),
        scopesSupported: strings(m.scopes_supported),
        tokenEndpointAuthMethodsSupported: strings(m.token_endpoint_auth_methods_supported),
        jwksUri: str(m.jwks_uri),
        codeChallengeMethodsSupported: strings(m.code_challenge_methods_supported),
        grantTypesSupported: strings(m.grant_types_supported),
        deviceAuthorizationEndpoint: str(m.device_authorization_endpoint),
      });
    },
    async getPublicClientConfig() {
      return create(service.PublicClientAuthConfigResponseSchema, {
        clientId: auth.config.publicClientId,
        redirectUri: "http://localhost:53593/callback",
        scopes: auth.config.scopes,
        authorizationMetadataKey: "authorization",
        serviceHttpEndpoint: "",
        audience: auth.config.audience ?? BUILT_IN_AUDIENCE,
      });
    },
  };
}
