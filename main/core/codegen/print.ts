/**
 * Printing helpers for the code generator: TypeScript literals, JSON as people write it, and code blocks.
 * Pure string building (no tfjs, no Node APIs), like the rest of the generator.
 */

/** Lines longer than this are wrapped, as a formatter would. */
export const MAX_LINE = 100;

/**
 * A block of generated code written as an indented template literal, as lines: the common indentation and the
 * blank first and last lines are removed. The template's raw text is used, so backslashes stay as written
 * (`/\d+/` prints as `/\d+/`); write \` for a backtick and \${ for a `${` of the generated code. `${value}`
 * inserts a value of the generator.
 */
export function code(strings: TemplateStringsArray, ...values: unknown[]): string[] {
  const unescape = (raw: string) => raw.replace(/\\`/g, '`').replace(/\\\$\{/g, '${');
  let text = unescape(strings.raw[0]);
  values.forEach((value, i) => {
    text += String(value) + unescape(strings.raw[i + 1]);
  });
  const lines = text.split('\n');
  if (lines.length && lines[0].trim() === '') lines.shift();
  if (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  const indents = lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length);
  const indent = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(indent).trimEnd());
}

/** A TypeScript literal for plain JSON-like data: single-quoted strings, `[a, b]`, `{ key: value }`. */
export function literal(value: unknown): string {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (typeof value === 'object') return objectLiteral(value as Record<string, unknown>);
  throw new Error(`Cannot print ${typeof value} as a TypeScript literal`);
}

function definedEntries(obj: Record<string, unknown>): Array<[string, unknown]> {
  return Object.entries(obj).filter(([, v]) => v !== undefined);
}

function propertyKey(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : literal(key);
}

export function objectLiteral(obj: Record<string, unknown>): string {
  const entries = definedEntries(obj);
  if (entries.length === 0) return '{}';
  return `{ ${entries.map(([k, v]) => `${propertyKey(k)}: ${literal(v)}`).join(', ')} }`;
}

/** An object literal with one property per line; `indent` is the indentation of the closing brace. */
export function multilineObject(obj: Record<string, unknown>, indentation: string): string {
  const body = definedEntries(obj).map(([k, v]) => `${indentation}  ${propertyKey(k)}: ${literal(v)},`);
  return ['{', ...body, `${indentation}}`].join('\n');
}

/** JSON with 2-space indentation, keeping short lists of plain values on one line as people write them. */
export function formatJson(value: unknown): string {
  const text = JSON.stringify(value, null, 2).replace(/\[\s*((?:"[^"\n]*"|[\d.-]+)(?:,\s*(?:"[^"\n]*"|[\d.-]+))*)\s*\]/g, (_, items: string) =>
    `[${items.split(/,\s*/).join(', ')}]`,
  );
  return text + '\n';
}

/** 101770 → "101,770" (fixed format, independent of the machine's locale). */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Keeps user text from closing a block comment early. */
export function commentText(text: string): string {
  return text.replace(/\*\//g, '* /').replace(/[\r\n]+/g, ' ');
}

/** "dense_1" → "dense1", "conv_block_a" → "convBlockA". Node names are letters, digits and _. */
export function camelCase(name: string): string {
  const parts = name.split('_').filter(Boolean);
  const [first, ...rest] = parts.length ? parts : ['layer'];
  return first[0].toLowerCase() + first.slice(1) + rest.map((p) => p[0].toUpperCase() + p.slice(1)).join('');
}

export function uniqueIdentifier(base: string, used: Set<string>): string {
  let name = used.has(base) ? `${base}Layer` : base;
  for (let i = 2; used.has(name); i++) name = `${base}Layer${i}`;
  used.add(name);
  return name;
}
