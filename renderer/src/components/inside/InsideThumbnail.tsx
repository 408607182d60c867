import { memo } from 'react';
import { useApp } from '../../store/context';
import { ActivationThumbnail } from './ActivationView';

/** On a layer node while the Inside tab is open: the layer's activations for the sample shown there. */
export const InsideThumbnail = memo(function InsideThumbnail({ layer }: { layer: string }) {
  const activation = useApp((s) => (s.inside.open ? s.inside.byLayer[layer] : undefined));
  if (!activation) return null;
  return (
    <div className="inside-thumb" data-testid={`inside-thumb-${layer}`}>
      <ActivationThumbnail activation={activation} />
    </div>
  );
});
