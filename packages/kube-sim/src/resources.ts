// The resources the simulator serves, as the API server's discovery documents name them, each with its
// official schema (kubernetes-models, generated from Kubernetes' OpenAPI spec) that every submitted object
// is validated against.
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ClusterRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole";
import { ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding";
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Event } from "kubernetes-models/v1/Event";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Pod } from "kubernetes-models/v1/Pod";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";

export interface ResourceType {
  group: string;
  version: string;
  /** The plural name in URLs (`pods`). */
  plural: string;
  kind: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  subresources: string[];
  /** Throws kubernetes-models' ValidationError (with Ajv's `errors`) for an object the schema refuses. */
  validate(obj: unknown): void;
}

type Model = new (data: never) => { validate(): void };
const validator = (M: Model) => (obj: unknown) => new M(obj as never).validate();

const t = (group: string, version: string, plural: string, kind: string, M: Model, namespaced = true, shortNames: string[] = [], subresources: string[] = []): ResourceType => ({
  group,
  version,
  plural,
  kind,
  singular: kind.toLowerCase(),
  namespaced,
  shortNames,
  subresources,
  validate: validator(M),
});

export const RESOURCES: readonly ResourceType[] = [
  t("", "v1", "pods", "Pod", Pod, true, ["po"], ["status", "log"]),
  t("", "v1", "secrets", "Secret", Secret),
  t("", "v1", "configmaps", "ConfigMap", ConfigMap, true, ["cm"]),
  t("", "v1", "services", "Service", Service, true, ["svc"], ["status"]),
  t("", "v1", "serviceaccounts", "ServiceAccount", ServiceAccount, true, ["sa"]),
  t("", "v1", "events", "Event", Event, true, ["ev"]),
  t("", "v1", "namespaces", "Namespace", Namespace, false, ["ns"], ["status"]),
  t("apps", "v1", "deployments", "Deployment", Deployment, true, ["deploy"], ["status"]),
  t("apps", "v1", "statefulsets", "StatefulSet", StatefulSet, true, ["sts"], ["status"]),
  t("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", PodDisruptionBudget, true, ["pdb"], ["status"]),
  t("rbac.authorization.k8s.io", "v1", "roles", "Role", Role),
  t("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", RoleBinding),
  t("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", ClusterRole, false),
  t("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", ClusterRoleBinding, false),
];

export const apiVersionOf = (r: ResourceType) => (r.group === "" ? r.version : `${r.group}/${r.version}`);

export function findResource(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}
