// Checking a command's arguments against its signature: unknown and missing members, wrong JSON types,
// enum values, union variants; each issue with the path of the argument it is about.
import type { Json, JsonObject } from '../../../protocol/qmp.ts';
import type { ArgPath } from './qmp-shell-syntax.ts';
import type { QmpSchema } from './schema.ts';
import type { CommandSignature, Member, ObjectType, SchemaIssue, SchemaType } from './schema-types.ts';
import {
  BUILTIN_WORDS,
  describeValue,
  didYouMeanSentence,
  formatPath,
  jsonTypeOf,
  listWords,
  suggestFix,
} from './schema-words.ts';

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
export function unwrapFor(type: SchemaType, shape: 'object' | 'array'): SchemaType | undefined {
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

export class Checker {
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
          const suggestion = suggestFix(s, type.values, 'value');
          this.add({
            severity: 'error',
            kind: 'bad-enum',
            path,
            message: `${this.name(path)} must be one of ${listWords(type.values)}, not "${s}".${didYouMeanSentence(suggestion)}`,
            suggestion,
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
        const suggestion = suggestFix(key, names, 'name');
        this.add({
          severity: 'error',
          kind: 'unknown-argument',
          path: p,
          message:
            names.length === 0
              ? `${where} takes no arguments, but ${this.name(p)} was given.`
              : `Unknown argument ${this.name(p)}: ${where}${selected} takes ${listWords(names)}.${didYouMeanSentence(suggestion)}`,
          suggestion,
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
