/**
 * Finding a layer kind by what one types: the palette's filter and the quick-add box. Every word typed must appear in
 * the kind's label, kind, category or description; kinds whose label matches best come first.
 */
import { LAYER_SPECS } from './registry';
import type { AnyLayerSpec } from './types';

/** How well a spec's name answers the query: lower is better (exact label, label start, word start, anywhere, description only). */
function rank(spec: AnyLayerSpec, query: string): number {
  const label = spec.label.toLowerCase();
  const kind = spec.kind.toLowerCase();
  if (label === query || kind === query) return 0;
  if (label.startsWith(query) || kind.startsWith(query)) return 1;
  if (label.split(/[^a-z0-9]+/).some((w) => w.startsWith(query))) return 2;
  if (label.includes(query) || kind.includes(query)) return 3;
  return 4;
}

/** The specs that match `query` (all of them, in registry order, for an empty query), best first. */
export function searchLayerSpecs(query: string, specs: readonly AnyLayerSpec[] = LAYER_SPECS): AnyLayerSpec[] {
  const q = query.trim().toLowerCase();
  if (!q) return [...specs];
  const words = q.split(/\s+/);
  const hits = specs.filter((s) => {
    const text = `${s.label} ${s.kind} ${s.category} ${s.description}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
  // A stable sort keeps the registry order among equally good matches.
  return hits.map((spec, i) => ({ spec, i, r: rank(spec, q) })).sort((a, b) => a.r - b.r || a.i - b.i).map((h) => h.spec);
}
