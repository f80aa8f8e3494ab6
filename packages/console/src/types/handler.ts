// What each Flyte type provides the console: how a value is shown and how the launch form enters one.
// Values are the plain JS values of @aloft/idl's toLiteral/fromLiteral (its values.ts lists them per type).
import type { ReactNode } from "react";
import type { core } from "@aloft/idl";

export type Control = "text" | "number" | "checkbox" | "select" | "json" | "datetime";

export interface TypeHandler {
  /** Shows a value of this type. */
  view(value: unknown, type: core.LiteralType, child: (value: unknown, type: core.LiteralType) => ReactNode): ReactNode;
  /** The form control that enters it. */
  control: Control;
  /** The control's text for a value (a default, or a relaunched input). */
  toText(value: unknown, type: core.LiteralType): string;
  /** The value a control's text stands for; throws an Error saying what is wrong. */
  parse(text: string, type: core.LiteralType): unknown;
  /** The choices of a select control. */
  options?(type: core.LiteralType): string[];
}

export class FieldError extends Error {}
