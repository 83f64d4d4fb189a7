// QEMU's own description of its commands (`query-qmp-schema`, qapi/introspect.json), resolved into
// signatures the composer can complete, explain and check against. Type names in the schema are opaque
// ("291", "[415]") and change between builds: they are used only to follow references, never as keys
// of behaviour. Command names and member names are stable.
import type { Json, JsonObject } from '../../../protocol/qmp.ts';
import { commandFacts } from '../qemu/commands.ts';
import type { ArgPath, QmpRequest } from './qmp-shell-syntax.ts';

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

const EMPTY_OBJECT: ObjectType = { kind: 'object', members: [], tag: null, variants: new Map() };
const ANY: BuiltinType = { kind: 'builtin', name: 'any', jsonType: 'value' };

function featuresOf(list: readonly string[] | undefined): Features {
  const features = list ?? [];
  return { features, deprecated: features.includes('deprecated'), unstable: features.includes('unstable') };
}

// --- validation and completion results ------------------------------------------------------------

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
  message: string;
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
export function formatPath(path: ArgPath): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out;
}

const isObject = (v: Json | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The JSON type of a value, as the schema names them (`int` for whole numbers). */
export function jsonTypeOf(v: Json): Exclude<JsonType, 'value'> {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'number':
      return Number.isInteger(v) ? 'int' : 'number';
    default:
      return 'object';
  }
}

function describeValue(v: Json): string {
  const t = jsonTypeOf(v);
  const text = JSON.stringify(v);
  const shown = text.length > 40 ? `${text.slice(0, 37)}…` : text;
  switch (t) {
    case 'string':
      return `the string ${shown}`;
    case 'int':
    case 'number':
      return `the number ${shown}`;
    case 'boolean':
      return shown;
    case 'null':
      return 'null';
    case 'array':
      return 'a list';
    default:
      return 'an object';
  }
}

function listWords(words: readonly string[], max = 8): string {
  const shown = words.slice(0, max).join(', ');
  return words.length > max ? `${shown}, … (${words.length} in all)` : shown;
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The closest of `options` to `word`, if close enough to be a likely typo. */
export function closest(word: string, options: Iterable<string>): string | null {
  let best: string | null = null;
  let bestD = Number.POSITIVE_INFINITY;
  for (const o of options) {
    // Ties go to the option closest in length (qcow3 → qcow2 rather than qcow).
    const d = distance(word.toLowerCase(), o.toLowerCase()) + Math.abs(o.length - word.length) / 100;
    if (d < bestD) {
      bestD = d;
      best = o;
    }
  }
  return best !== null && bestD < Math.max(2, Math.floor(word.length / 3)) + 1 ? best : null;
}

const didYouMean = (word: string, options: Iterable<string>) => {
  const c = closest(word, options);
  return c ? ` Did you mean "${c}"?` : '';
};

// --- the schema -----------------------------------------------------------------------------------

export class QmpSchema {
  private readonly commandMap = new Map<string, CommandSignature>();
  /** Command names, sorted. */
  readonly commandNames: readonly string[];
  readonly eventNames: readonly string[];

  constructor(entities: readonly SchemaInfo[]) {
    const byName = new Map<string, SchemaInfo>();
    for (const e of entities) byName.set(e.name, e);
    const resolved = new Map<string, SchemaType>();

    // Every type gets its object first, filled in afterwards, so recursive types resolve to cycles.
    const resolve = (name: string): SchemaType => {
      const known = resolved.get(name);
      if (known) return known;
      const info = byName.get(name);
      if (!info) return ANY; // a dangling reference: accept anything rather than fail
      switch (info['meta-type']) {
        case 'builtin': {
          const t: BuiltinType = { kind: 'builtin', name: info.name, jsonType: info['json-type'] };
          resolved.set(name, t);
          return t;
        }
        case 'enum': {
          const valueFeatures = new Map<string, Features>();
          for (const m of info.members ?? [])
            if (m.features?.length) valueFeatures.set(m.name, featuresOf(m.features));
          const t: EnumType = { kind: 'enum', values: info.values, valueFeatures };
          resolved.set(name, t);
          return t;
        }
        case 'array': {
          const t = { kind: 'array', element: ANY } as ArrayType;
          resolved.set(name, t);
          t.element = resolve(info['element-type']);
          return t;
        }
        case 'object': {
          const members: Member[] = [];
          const variants = new Map<string, ObjectType>();
          const t: ObjectType = { kind: 'object', members, tag: info.tag ?? null, variants };
          resolved.set(name, t);
          for (const m of info.members) {
            members.push({
              name: m.name,
              type: resolve(m.type),
              optional: 'default' in m,
              ...featuresOf(m.features),
            });
          }
          for (const v of info.variants ?? []) {
            const vt = resolve(v.type);
            if (vt.kind === 'object') variants.set(v.case, vt);
          }
          return t;
        }
        case 'alternate': {
          const alternatives: SchemaType[] = [];
          const t: AlternateType = { kind: 'alternate', alternatives };
          resolved.set(name, t);
          for (const m of info.members) alternatives.push(resolve(m.type));
          return t;
        }
        default:
          return ANY;
      }
    };

    const events: string[] = [];
    for (const e of entities) {
      if (e['meta-type'] === 'command') {
        const args = resolve(e['arg-type']);
        this.commandMap.set(e.name, {
          name: e.name,
          args: args.kind === 'object' ? args : EMPTY_OBJECT,
          returns: resolve(e['ret-type']),
          allowOob: e['allow-oob'] ?? false,
          openArguments: commandFacts(e.name).openArguments === true,
          ...featuresOf(e.features),
        });
      } else if (e['meta-type'] === 'event') events.push(e.name);
    }
    this.commandNames = [...this.commandMap.keys()].sort();
    this.eventNames = events.sort();
  }

  command(name: string): CommandSignature | undefined {
    return this.commandMap.get(name);
  }

  hasCommand(name: string): boolean {
    return this.commandMap.has(name);
  }

  // --- describing ---

  /** A short human description of a type: `string`, `integer`, `one of "a", "b"`, `list of …`. */
  describeType(type: SchemaType, depth = 0): string {
    switch (type.kind) {
      case 'builtin':
        return BUILTIN_WORDS[type.jsonType];
      case 'enum':
        return type.values.length <= 6
          ? `one of ${type.values.join(' | ')}`
          : `one of ${type.values.slice(0, 4).join(' | ')} | … (${type.values.length} values)`;
      case 'array':
        return depth > 1 ? 'list' : `list of ${this.describeType(type.element, depth + 1)}`;
      case 'object':
        if (depth > 0 || type.members.length === 0)
          return type.members.length === 0 ? 'empty object' : 'object';
        return `object {${type.members
          .slice(0, 4)
          .map((m) => `${m.name}${m.optional ? '?' : ''}`)
          .join(', ')}${type.members.length > 4 ? ', …' : ''}}`;
      case 'alternate':
        return type.alternatives.map((a) => this.describeType(a, depth + 1)).join(' or ');
    }
  }

  /** `blockdev-add driver: …, node-name?: string, …` (optional members marked with `?`). */
  signature(command: string, args?: JsonObject): string {
    const sig = this.commandMap.get(command);
    if (!sig) return command;
    const members = effectiveMembers(sig.args, args ?? {});
    if (members.length === 0) return `${command} (no arguments)${sig.openArguments ? ' + properties' : ''}`;
    const parts = members.map((m) => `${m.name}${m.optional ? '?' : ''}: ${shortType(m.type)}`);
    return `${command} ${parts.join(', ')}${sig.openArguments ? ', …device properties' : ''}`;
  }

  /**
   * The member at `path` in the command's arguments, following objects (with the variant that `args`
   * selects), alternates (their object alternative) and arrays. Undefined when the path leaves the schema.
   */
  memberAt(
    command: string,
    args: JsonObject,
    path: ArgPath,
  ): { type: SchemaType; member: Member | null } | undefined {
    const sig = this.commandMap.get(command);
    if (!sig) return undefined;
    let type: SchemaType = sig.args;
    let value: Json | undefined = args;
    let member: Member | null = null;
    for (const step of path) {
      const t = unwrapFor(type, typeof step === 'number' ? 'array' : 'object');
      if (!t) return undefined;
      if (t.kind === 'array') {
        if (typeof step !== 'number') return undefined;
        type = t.element;
        member = null;
        value = Array.isArray(value) ? value[step] : undefined;
        continue;
      }
      if (t.kind !== 'object' || typeof step !== 'string') return undefined;
      const m = effectiveMembers(t, isObject(value) ? value : {}).find((x) => x.name === step);
      if (!m) return undefined;
      member = m;
      type = m.type;
      value = isObject(value) ? value[step] : undefined;
    }
    return { type, member };
  }

  // --- completion ---

  /**
   * Command names starting with `prefix` (then those containing it). Ranked: an exact match, then the
   * `preferred` names in their order (say, recently used), then everyday commands, then the rest
   * alphabetically; unstable and deprecated ones last.
   */
  commandCandidates(prefix: string, preferred: readonly string[] = []): Candidate[] {
    const pref = new Map(preferred.map((name, i) => [name, i]));
    const rank = (name: string, sig: CommandSignature) =>
      (name === prefix ? 0 : 1e6) +
      (pref.get(name) ?? (commandFacts(name).everyday ? 1e4 : 1e5)) +
      (sig.deprecated ? 4e6 : sig.unstable ? 2e6 : 0);
    const starts: { c: Candidate; r: number }[] = [];
    const contains: { c: Candidate; r: number }[] = [];
    for (const name of this.commandNames) {
      const sig = this.commandMap.get(name)!;
      const noArgs = sig.args.members.length === 0 && !sig.openArguments;
      const c: Candidate = {
        insert: name,
        label: name,
        kind: 'command',
        detail: noArgs ? 'no arguments' : this.signature(name).slice(name.length + 1),
        deprecated: sig.deprecated,
        unstable: sig.unstable,
      };
      if (name.startsWith(prefix)) starts.push({ c, r: rank(name, sig) });
      else if (prefix && name.includes(prefix)) contains.push({ c, r: rank(name, sig) });
    }
    // Array.prototype.sort is stable: equal ranks keep the alphabetical order.
    const byRank = (a: { r: number }, b: { r: number }) => a.r - b.r;
    return [...starts.sort(byRank), ...contains.sort(byRank)].map((x) => x.c);
  }

  /**
   * Argument names for the object at `parentPath` (empty: the command's own arguments), as dotted names
   * from `parentPath.slice(baseLength)` on, required first, leaving out those already in `args`.
   * (Inside a transaction the base is `['actions', i, 'data']`.)
   */
  argumentCandidates(
    command: string,
    args: JsonObject,
    parentPath: ArgPath,
    prefix: string,
    baseLength = 0,
  ): Candidate[] {
    const at = this.memberAt(command, args, parentPath);
    if (!at) return [];
    const obj = unwrapFor(at.type, 'object');
    if (obj?.kind !== 'object') return [];
    let given: Json | undefined = args;
    for (const p of parentPath) {
      given =
        typeof p === 'number'
          ? Array.isArray(given)
            ? given[p]
            : undefined
          : isObject(given)
            ? given[p]
            : undefined;
    }
    const present = isObject(given) ? given : {};
    const members = effectiveMembers(obj, present).filter(
      (m) => !(m.name in present && !isObject(present[m.name])),
    );
    const relative = parentPath.slice(baseLength);
    const dotted = relative.length ? `${relative.join('.')}.` : '';
    const out: Candidate[] = [];
    for (const m of members) {
      if (!m.name.startsWith(prefix)) continue;
      const inner = unwrapFor(m.type, 'object');
      const canNest = inner?.kind === 'object' && (inner.members.length > 0 || inner.tag !== null);
      const leafy = m.type.kind !== 'object';
      const base = {
        kind: 'argument' as const,
        required: !m.optional,
        deprecated: m.deprecated,
        unstable: m.unstable,
      };
      if (leafy || !canNest) {
        out.push({
          ...base,
          insert: `${dotted}${m.name}=`,
          label: `${dotted}${m.name}`,
          detail: shortType(m.type),
        });
      }
      if (canNest) {
        out.push({
          ...base,
          insert: `${dotted}${m.name}.`,
          label: `${dotted}${m.name}.`,
          detail: 'object: its members',
        });
      }
    }
    const rank = (c: Candidate) => (c.required ? 0 : 1) + (c.deprecated ? 4 : 0) + (c.unstable ? 2 : 0);
    return out
      .map((c, i) => ({ c, i }))
      .sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i)
      .map(({ c }) => c);
  }

  /** Values to offer for a member of `type`: enum values, `true`/`false`, `null`. */
  valueCandidates(type: SchemaType, prefix: string): Candidate[] {
    const out: Candidate[] = [];
    const add = (t: SchemaType) => {
      if (t.kind === 'enum') {
        for (const v of t.values) {
          const f = t.valueFeatures.get(v);
          out.push({
            insert: v,
            label: v,
            kind: 'value',
            detail: 'enum value',
            deprecated: f?.deprecated,
            unstable: f?.unstable,
          });
        }
      } else if (t.kind === 'builtin' && t.jsonType === 'boolean') {
        out.push({ insert: 'true', label: 'true', kind: 'value', detail: 'boolean' });
        out.push({ insert: 'false', label: 'false', kind: 'value', detail: 'boolean' });
      } else if (t.kind === 'builtin' && t.jsonType === 'null') {
        out.push({ insert: 'null', label: 'null', kind: 'value', detail: 'null' });
      } else if (t.kind === 'alternate') {
        for (const a of t.alternatives) add(a);
      }
    };
    add(type);
    const starts = out.filter((c) => c.insert.startsWith(prefix));
    const contains = prefix
      ? out.filter((c) => !c.insert.startsWith(prefix) && c.insert.includes(prefix))
      : [];
    return [...starts, ...contains];
  }

  /** The actions `transaction` accepts: type → the object its `data` takes. */
  transactionActions(): Map<string, ObjectType> {
    const out = new Map<string, ObjectType>();
    const actions = this.commandMap.get('transaction')?.args.members.find((m) => m.name === 'actions');
    const element = actions?.type.kind === 'array' ? actions.type.element : null;
    if (element?.kind !== 'object' || !element.tag) return out;
    const tagMember = element.members.find((m) => m.name === element.tag);
    const cases = tagMember?.type.kind === 'enum' ? tagMember.type.values : [...element.variants.keys()];
    for (const c of cases) {
      const data = element.variants.get(c)?.members.find((m) => m.name === 'data')?.type;
      out.set(c, data?.kind === 'object' ? data : EMPTY_OBJECT);
    }
    return out;
  }

  // --- validation ---

  /** What QEMU would refuse (errors), and what deserves a second look (warnings, notes). */
  validate(request: QmpRequest): SchemaIssue[] {
    const sig = this.commandMap.get(request.execute);
    if (!sig) {
      return [
        {
          severity: 'error',
          kind: 'unknown-command',
          path: [],
          message: `This QEMU has no command "${request.execute}".${didYouMean(request.execute, this.commandNames)}`,
        },
      ];
    }
    const issues: SchemaIssue[] = [];
    if (sig.deprecated) {
      issues.push({
        severity: 'warning',
        kind: 'deprecated',
        path: [],
        message: `${sig.name} is deprecated.`,
      });
    }
    if (sig.unstable) {
      issues.push({
        severity: 'warning',
        kind: 'unstable',
        path: [],
        message: `${sig.name} is unstable: it may change or go away in another QEMU version.`,
      });
    }
    new Checker(this, sig, issues).object(sig.args, request.arguments ?? {}, []);
    return issues;
  }
}

const BUILTIN_WORDS: Readonly<Record<JsonType, string>> = {
  string: 'string',
  int: 'integer',
  number: 'number',
  boolean: 'boolean',
  null: 'null',
  object: 'object',
  array: 'list',
  value: 'any JSON value',
};

function shortType(type: SchemaType): string {
  switch (type.kind) {
    case 'builtin':
      return BUILTIN_WORDS[type.jsonType];
    case 'enum':
      return type.values.length <= 3 ? type.values.join('|') : `enum (${type.values.length})`;
    case 'array':
      return `[${shortType(type.element)}]`;
    case 'object':
      return type.tag ? `object by ${type.tag}` : 'object';
    case 'alternate':
      return type.alternatives.map(shortType).join(' or ');
  }
}

/** Members of an object, plus those of the variant its tag value selects in `value`. */
export function effectiveMembers(type: ObjectType, value: JsonObject): Member[] {
  const members = [...type.members];
  if (type.tag) {
    const tagValue = value[type.tag];
    const variant = typeof tagValue === 'string' ? type.variants.get(tagValue) : undefined;
    if (variant) members.push(...effectiveMembers(variant, value));
  }
  return members;
}

/** Every member name any variant of a union may add (recursively). */
function anyVariantMembers(type: ObjectType, out = new Set<string>()): Set<string> {
  for (const v of type.variants.values()) {
    for (const m of v.members) out.add(m.name);
    anyVariantMembers(v, out);
  }
  return out;
}

/** The alternative of a type that can hold a value of the given JSON shape (the type itself otherwise). */
function unwrapFor(type: SchemaType, shape: 'object' | 'array'): SchemaType | undefined {
  if (type.kind !== 'alternate') return type;
  return type.alternatives.find((a) => a.kind === shape);
}

function accepts(type: SchemaType, v: Json): boolean {
  const t = jsonTypeOf(v);
  switch (type.kind) {
    case 'builtin':
      return type.jsonType === 'value' || type.jsonType === t || (type.jsonType === 'number' && t === 'int');
    case 'enum':
      return t === 'string';
    case 'array':
      return t === 'array';
    case 'object':
      return t === 'object';
    case 'alternate':
      return type.alternatives.some((a) => accepts(a, v));
  }
}

function expectedWords(type: SchemaType): string {
  switch (type.kind) {
    case 'builtin':
      return type.jsonType === 'boolean'
        ? 'a boolean (true or false)'
        : type.jsonType === 'int'
          ? 'an integer'
          : type.jsonType === 'null'
            ? 'null'
            : `a ${BUILTIN_WORDS[type.jsonType]}`;
    case 'enum':
      return 'a string (one of its values)';
    case 'array':
      return 'a list';
    case 'object':
      return 'an object';
    case 'alternate': {
      const words = [...new Set(type.alternatives.map(expectedWords))];
      return words.length <= 1
        ? (words[0] ?? 'a value')
        : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
    }
  }
}

class Checker {
  constructor(
    private readonly schema: QmpSchema,
    private readonly sig: CommandSignature,
    private readonly issues: SchemaIssue[],
  ) {}

  private add(issue: SchemaIssue) {
    this.issues.push(issue);
  }

  private name(path: ArgPath) {
    return `"${formatPath(path)}"`;
  }

  value(type: SchemaType, v: Json, path: ArgPath): void {
    if (!accepts(type, v)) {
      const hint =
        typeof v === 'number' && acceptsString(type)
          ? ` Quote it (${formatPath(path)}="${v}") to send a string.`
          : typeof v === 'string' && (v === 'True' || v === 'False') && acceptsBool(type)
            ? ` Write it in lower case: ${v.toLowerCase()}.`
            : '';
      this.add({
        severity: 'error',
        kind: 'wrong-type',
        path,
        message: `${this.name(path)} must be ${expectedWords(type)}, but it is ${describeValue(v)}.${hint}`,
      });
      return;
    }
    switch (type.kind) {
      case 'builtin':
        return;
      case 'enum': {
        const s = v as string;
        if (!type.values.includes(s)) {
          this.add({
            severity: 'error',
            kind: 'bad-enum',
            path,
            message: `${this.name(path)} must be one of ${listWords(type.values)}, not "${s}".${didYouMean(s, type.values)}`,
          });
        } else {
          const f = type.valueFeatures.get(s);
          if (f?.deprecated)
            this.note('deprecated', path, `The value "${s}" of ${this.name(path)} is deprecated.`);
          if (f?.unstable) this.note('unstable', path, `The value "${s}" of ${this.name(path)} is unstable.`);
        }
        return;
      }
      case 'array':
        (v as Json[]).forEach((el, i) => {
          this.value(type.element, el, [...path, i]);
        });
        return;
      case 'object':
        this.object(type, v as JsonObject, path);
        return;
      case 'alternate': {
        // QEMU picks the alternative by the value's JSON type; an enum and a string both take strings.
        const t = jsonTypeOf(v);
        const alt =
          type.alternatives.find(
            (a) => a.kind === 'builtin' && (a.jsonType === t || (a.jsonType === 'number' && t === 'int')),
          ) ?? type.alternatives.find((a) => accepts(a, v));
        if (alt) this.value(alt, v, path);
      }
    }
  }

  private note(kind: 'deprecated' | 'unstable', path: ArgPath, message: string) {
    this.add({ severity: 'warning', kind, path, message });
  }

  object(type: ObjectType, v: JsonObject, path: ArgPath): void {
    const members = effectiveMembers(type, v);
    const byName = new Map(members.map((m) => [m.name, m]));
    const atTop = path.length === 0;
    // With the tag missing or wrong, members of any variant might be right: do not call them unknown.
    const tagValue = type.tag ? v[type.tag] : undefined;
    const tagType = type.tag ? type.members.find((m) => m.name === type.tag)?.type : undefined;
    const variantKnown =
      type.tag === null ||
      (typeof tagValue === 'string' &&
        (tagType?.kind === 'enum' ? tagType.values.includes(tagValue) : type.variants.has(tagValue)));
    const maybeVariant = !variantKnown ? anyVariantMembers(type) : new Set<string>();

    for (const [key, value] of Object.entries(v)) {
      const m = byName.get(key);
      const p = [...path, key];
      if (!m) {
        if (maybeVariant.has(key)) continue;
        if (atTop && this.sig.openArguments) {
          this.add({
            severity: 'info',
            kind: 'unchecked',
            path: p,
            message: `${this.name(p)} is passed to the device as a property; the schema does not describe device properties.`,
          });
          continue;
        }
        const names = members.map((x) => x.name);
        const where = atTop ? this.sig.name : formatPath(path);
        const selected = type.tag && typeof tagValue === 'string' ? ` with ${type.tag}=${tagValue}` : '';
        this.add({
          severity: 'error',
          kind: 'unknown-argument',
          path: p,
          message:
            names.length === 0
              ? `${where} takes no arguments, but ${this.name(p)} was given.`
              : `Unknown argument ${this.name(p)}: ${where}${selected} takes ${listWords(names)}.${didYouMean(key, names)}`,
        });
        continue;
      }
      if (m.deprecated) this.note('deprecated', p, `${this.name(p)} is deprecated.`);
      if (m.unstable) this.note('unstable', p, `${this.name(p)} is unstable: it may change or go away.`);
      this.value(m.type, value, p);
    }
    for (const m of members) {
      if (m.optional || Object.hasOwn(v, m.name)) continue;
      const p = [...path, m.name];
      this.add({
        severity: 'error',
        kind: 'missing-argument',
        path: p,
        message: `Missing required argument ${this.name(p)} (${this.schema.describeType(m.type)}).`,
      });
    }
  }
}

function acceptsString(type: SchemaType): boolean {
  return accepts(type, 'x') || type.kind === 'enum';
}
function acceptsBool(type: SchemaType): boolean {
  return accepts(type, true);
}
