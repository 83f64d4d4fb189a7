// QEMU's own description of its commands (`query-qmp-schema`, qapi/introspect.json), resolved into
// signatures the composer can complete, explain and check against. Type names in the schema are opaque
// ("291", "[415]") and change between builds: they are used only to follow references, never as keys
// of behaviour. Command names and member names are stable.
import type { Json, JsonObject } from '../../../protocol/qmp.ts';
import { commandFacts } from '../qemu/commands.ts';
import type { ArgPath, QmpRequest } from './qmp-shell-syntax.ts';

import { Checker, effectiveMembers, unwrapFor } from './schema-check.ts';
import type {
  AlternateType,
  ArrayType,
  BuiltinType,
  Candidate,
  CommandSignature,
  EnumType,
  Features,
  Member,
  ObjectType,
  SchemaInfo,
  SchemaIssue,
  SchemaType,
} from './schema-types.ts';
import { BUILTIN_WORDS, didYouMeanSentence, isObject, shortType, suggestFix } from './schema-words.ts';

export { effectiveMembers } from './schema-check.ts';
export type * from './schema-types.ts';
export { closest, didYouMeanSentence, formatPath, jsonTypeOf, suggestFix } from './schema-words.ts';

const EMPTY_OBJECT: ObjectType = { kind: 'object', members: [], tag: null, variants: new Map() };
const ANY: BuiltinType = { kind: 'builtin', name: 'any', jsonType: 'value' };

function featuresOf(list: readonly string[] | undefined): Features {
  const features = list ?? [];
  return { features, deprecated: features.includes('deprecated'), unstable: features.includes('unstable') };
}

// --- validation and completion results ------------------------------------------------------------

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
      const suggestion = suggestFix(request.execute, this.commandNames, 'name');
      return [
        {
          severity: 'error',
          kind: 'unknown-command',
          path: [],
          message: `This QEMU has no command "${request.execute}".${didYouMeanSentence(suggestion)}`,
          suggestion,
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
