// Flyte's integer and float are both JS numbers, but not interchangeable on the wire: Flyte's compiler refuses a
// float output bound to an integer input. `Int` and `Float` carry that difference in the type, so tsc refuses the
// wiring where it is written. The brand is an optional phantom member: a plain number (a constant, the result of
// arithmetic in a task body) fits either, while a promise of one never fits an input of the other.
declare const flyteNumber: unique symbol;

/** A Flyte integer (int64 held as a safe JS integer). Any number is assignable to it; a `Float` is not. */
export type Int = number & { readonly [flyteNumber]?: "integer" };

/** A Flyte float (double). Any number is assignable to it; an `Int` is not. */
export type Float = number & { readonly [flyteNumber]?: "float" };
