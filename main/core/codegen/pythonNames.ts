/** Python's keywords: never usable as a variable name. */
const PYTHON_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '),
);

/**
 * A Python identifier for a node name (letters, digits and _; "dense_1" stays, "2nd-layer" → "layer_2nd_layer"),
 * clear of Python's keywords and of the names the generated file uses itself (`reserved`), unique among `used`.
 */
export function pythonIdentifier(name: string, used: Set<string>, reserved: ReadonlySet<string>): string {
  let base = name.replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z_]/.test(base)) base = `layer_${base}`;
  if (PYTHON_KEYWORDS.has(base) || reserved.has(base)) base = `${base}_layer`;
  let id = base;
  for (let i = 2; used.has(id); i++) id = `${base}_${i}`;
  used.add(id);
  return id;
}
