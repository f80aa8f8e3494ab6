// Compile errors, modelled on flytepropeller's compiler errors: each has one of Flyte's codes, the id of the node
// it concerns and a description. The compiler collects them all instead of stopping at the first.
import { compareCodePoints } from "./identifier.ts";

/** Flyte's compile error codes (flytepropeller/pkg/compiler/errors), spelled as Flyte reports them. */
export const ErrorCodes = {
  CycleDetected: "CycleDetected",
  BranchNodeIdNotFound: "BranchNodeIdNotFound",
  BranchNodeHasNoCondition: "BranchNodeHasNoCondition",
  BranchNodeHasNoDefault: "BranchNodeHasNoDefault",
  ValueRequired: "ValueRequired",
  InvalidValue: "InvalidValue",
  NodeReferenceNotFound: "NodeReferenceNotFound",
  TaskReferenceNotFound: "TaskReferenceNotFound",
  WorkflowReferenceNotFound: "WorkflowReferenceNotFound",
  VariableNameNotFound: "VariableNameNotFound",
  DuplicateAlias: "DuplicateAlias",
  /** Flyte's constant is DuplicateNodeID; the code it reports is "DuplicateId". */
  DuplicateNodeID: "DuplicateId",
  MismatchingTypes: "MismatchingTypes",
  MismatchingBindings: "MismatchingBindings",
  MismatchingInterfaces: "MismatchingInterfaces",
  InconsistentTypes: "InconsistentTypes",
  ParameterBoundMoreThanOnce: "ParameterBoundMoreThanOnce",
  ParameterNotBound: "ParameterNotBound",
  NoEntryNodeFound: "NoEntryNodeFound",
  UnreachableNodes: "UnreachableNodes",
  UnrecognizedValue: "UnrecognizedValue",
  WorkflowBuildError: "WorkflowBuildError",
  ValueCollision: "ValueCollision",
  SyntaxError: "SyntaxError",
  NoNodesFound: "NoNodesFound",
  IllegalEnumValue: "IllegalEnumValue",
  AmbiguousBindingUnionValue: "AmbiguousBindingUnionValue",
  IncompatibleBindingUnionValue: "IncompatibleBindingUnionValue",
  NoConditionFound: "NoConditionFound",
  FieldNotFound: "FieldNotFound",
  InvalidLiteralType: "InvalidLiteralType",
} as const;

export type CompileErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** One problem found by the compiler, naming the node (or "root"/"start-node") and what is wrong. */
export class CompileError extends Error {
  override readonly name = "CompileError";
  constructor(
    readonly code: CompileErrorCode,
    readonly nodeId: string,
    readonly description: string,
  ) {
    super(`Code: ${code}, Node Id: ${nodeId}, Description: ${description}`);
  }
}

/**
 * Collects errors into one de-duplicated set shared by a tree of scopes. Each scope counts the errors reported in it
 * and its children, which is what the validators use to decide whether a step succeeded (Flyte's `errs.NewScope()`).
 */
export class ErrorScope {
  private count = 0;
  private constructor(
    private readonly all: Map<string, CompileError>,
    private readonly parent: ErrorScope | undefined,
  ) {}

  static root(): ErrorScope {
    return new ErrorScope(new Map(), undefined);
  }

  scope(): ErrorScope {
    return new ErrorScope(this.all, this);
  }

  collect(code: CompileErrorCode, nodeId: string, description: string): void {
    const key = `${code}\u0000${nodeId}\u0000${description}`;
    if (!this.all.has(key)) this.all.set(key, new CompileError(code, nodeId, description));
    for (let s: ErrorScope | undefined = this; s; s = s.parent) s.count++;
  }

  hasErrors(): boolean {
    return this.count > 0;
  }

  /** All distinct errors, ordered by code then message as Flyte lists them. */
  list(): CompileError[] {
    return [...this.all.values()].sort((a, b) =>
      a.code === b.code ? cmp(a.message, b.message) : cmp(a.code, b.code),
    );
  }
}

// Go orders the messages by their bytes; code point order is UTF-8 byte order.
const cmp = compareCodePoints;

/** The errors as one text in Flyte's layout ("Collected Errors: N" then one "Error i: ..." line each). */
export function formatCompileErrors(errors: readonly CompileError[]): string {
  return `Collected Errors: ${errors.length}\n${errors.map((e, i) => `\tError ${i}: ${e.message}\n`).join("")}`;
}
