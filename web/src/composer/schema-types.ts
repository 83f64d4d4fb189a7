// The QMP schema's shapes: the wire form of `query-qmp-schema` (SchemaInfo), the types the composer
// resolves it into, and what checking and completing report.
import type { ArgPath } from './qmp-shell-syntax.ts';

// --- the wire form (SchemaInfo) -------------------------------------------------------------------

export type JsonType = 'string' | 'number' | 'int' | 'boolean' | 'null' | 'object' | 'array' | 'value';

interface SchemaInfoBase {
  name: string;
  features?: string[];
}
export interface SchemaInfoBuiltin extends SchemaInfoBase {
  'meta-type': 'builtin';
  'json-type': JsonType;
}
export interface SchemaInfoEnum extends SchemaInfoBase {
  'meta-type': 'enum';
  values: string[];
  members?: { name: string; features?: string[] }[];
}
export interface SchemaInfoArray extends SchemaInfoBase {
  'meta-type': 'array';
  'element-type': string;
}
export interface SchemaInfoObject extends SchemaInfoBase {
  'meta-type': 'object';
  members: { name: string; type: string; default?: null; features?: string[] }[];
  tag?: string;
  variants?: { case: string; type: string }[];
}
export interface SchemaInfoAlternate extends SchemaInfoBase {
  'meta-type': 'alternate';
  members: { type: string }[];
}
export interface SchemaInfoCommand extends SchemaInfoBase {
  'meta-type': 'command';
  'arg-type': string;
  'ret-type': string;
  'allow-oob'?: boolean;
}
export interface SchemaInfoEvent extends SchemaInfoBase {
  'meta-type': 'event';
  'arg-type': string;
}
export type SchemaInfo =
  | SchemaInfoBuiltin
  | SchemaInfoEnum
  | SchemaInfoArray
  | SchemaInfoObject
  | SchemaInfoAlternate
  | SchemaInfoCommand
  | SchemaInfoEvent;

// --- resolved types -------------------------------------------------------------------------------

export interface Features {
  features: readonly string[];
  deprecated: boolean;
  unstable: boolean;
}

export interface BuiltinType {
  kind: 'builtin';
  /** `str`, `int`, `number`, `bool`, `null`, `any` (sized integers are all `int` in the schema). */
  name: string;
  jsonType: JsonType;
}
export interface EnumType {
  kind: 'enum';
  values: readonly string[];
  /** Features per value (deprecated / unstable values). */
  valueFeatures: ReadonlyMap<string, Features>;
}
export interface ArrayType {
  kind: 'array';
  element: SchemaType;
}
export interface Member extends Features {
  name: string;
  type: SchemaType;
  optional: boolean;
}
export interface ObjectType {
  kind: 'object';
  members: readonly Member[];
  /** For a union: the member whose value picks the variant. */
  tag: string | null;
  /** For a union: extra members per tag value (values without a variant add nothing). */
  variants: ReadonlyMap<string, ObjectType>;
}
export interface AlternateType {
  kind: 'alternate';
  /** One per JSON type: QEMU tells them apart by the type of the value. */
  alternatives: readonly SchemaType[];
}
export type SchemaType = BuiltinType | EnumType | ArrayType | ObjectType | AlternateType;

export interface CommandSignature extends Features {
  name: string;
  args: ObjectType;
  returns: SchemaType;
  allowOob: boolean;
  /**
   * The command takes arguments the schema does not list (`device_add` passes them to the device as
   * properties; QEMU declares it with `gen: false`, which introspection does not show).
   */
  openArguments: boolean;
}

export type IssueKind =
  | 'unknown-command'
  | 'unknown-argument'
  | 'missing-argument'
  | 'wrong-type'
  | 'bad-enum'
  | 'deprecated'
  | 'unstable'
  | 'unchecked'
  | 'policy';

export interface SchemaIssue {
  severity: 'error' | 'warning' | 'info';
  kind: IssueKind;
  /** Path into the arguments (empty for the command itself). */
  path: ArgPath;
  /** Ends with "Did you mean …?" when there is a `suggestion`. */
  message: string;
  suggestion?: Suggestion;
}

/** A likely typo and its fix: the name at the issue's path (the command's for an empty path) or its value. */
export interface Suggestion {
  part: 'name' | 'value';
  word: string;
  replacement: string;
}

export interface Candidate {
  /** What completion inserts (for an argument: `name=`, or `name.` for an object to go into). */
  insert: string;
  /** What the list shows. */
  label: string;
  kind: 'command' | 'argument' | 'value' | 'action';
  /** The type or a short description. */
  detail: string;
  required?: boolean;
  deprecated?: boolean;
  unstable?: boolean;
}

/** `file.filename`, `actions[0].data.device`. */
