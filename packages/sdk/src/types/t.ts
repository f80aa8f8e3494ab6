// The schema builders authors write: `t.int()`, `t.list(t.float())`, `t.struct({...})`. Each returns the
// transformer for one Flyte type, typed so TypeScript infers task function signatures from the declaration.
import { binarySchema } from "./binary.ts";
import { booleanSchema } from "./boolean.ts";
import { datetimeSchema } from "./datetime.ts";
import { directorySchema } from "./directory.ts";
import { durationSchema } from "./duration.ts";
import { enumSchema } from "./enum.ts";
import { fileSchema } from "./file.ts";
import { floatSchema } from "./float.ts";
import { int64Schema, integerSchema } from "./integer.ts";
import { listSchema } from "./list.ts";
import { mapSchema } from "./map.ts";
import { noneSchema } from "./none.ts";
import { stringSchema } from "./string.ts";
import { structSchema } from "./struct.ts";
import { structuredDatasetSchema } from "./structured-dataset.ts";
import { optionalSchema, unionSchema } from "./union.ts";

export const t = {
  /** Flyte integer as a number (`Int`): safe integers only, beyond ±2^53 is an error, never rounded. */
  int: integerSchema,
  /** Flyte integer as a bigint: the whole int64 range. */
  int64: int64Schema,
  /** Flyte float (`Float`); a promise of one does not fit an int input, nor the other way round. */
  float: floatSchema,
  string: stringSchema,
  bool: booleanSchema,
  datetime: datetimeSchema,
  /** Milliseconds. */
  duration: durationSchema,
  binary: binarySchema,
  none: noneSchema,
  list: listSchema,
  map: mapSchema,
  struct: structSchema,
  enum: enumSchema,
  union: unionSchema,
  optional: optionalSchema,
  /** A single file; `format` is Flyte's blob format tag (e.g. "csv"). */
  file: fileSchema,
  directory: directorySchema,
  /** A table (Flyte StructuredDataset, Parquet on the wire). */
  dataframe: structuredDatasetSchema,
};
