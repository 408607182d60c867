import { useMemo } from 'react';
import { useActions, useApp } from '../store/context';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A message with each layer name it mentions as a link: a click selects that layer and centres the view on it. */
export function LayerLinks({ text }: { text: string }) {
  const actions = useActions();
  const nodes = useApp((s) => s.project.graph.nodes);
  const parts = useMemo(() => {
    const names = nodes.map((n) => n.name).sort((a, b) => b.length - a.length);
    if (!names.length) return [text];
    // Whole names only: dense_1 in "dense_10" is not a mention.
    const re = new RegExp(`(?<![A-Za-z0-9_])(${names.map(escape).join('|')})(?![A-Za-z0-9_])`, 'g');
    return text.split(re);
  }, [nodes, text]);
  // split() with one capture group puts the names at odd indexes.
  return (
    <>
      {parts.map((part, i) =>
        i % 2 === 1 ? (
          <button key={i} type="button" className="layer-link" data-testid="layer-link" title={`Show ${part} on the canvas`} onClick={() => actions.focusLayer(part)}>
            {part}
          </button>
        ) : (
          part
        ),
      )}
    </>
  );
}
