import { memo, useEffect, useRef } from 'react';
import type { ActivationSummary, FeatureMap, LayerActivation } from '../../../../main/core/inside/activations';

/** Draws values 0..1 (or 0..255 gray) into a small canvas, one pixel per value; CSS scales it up crisply. */
function PixelCanvas({ width, height, color, size, title }: { width: number; height: number; color: (i: number) => [number, number, number]; size: number; title?: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const image = ctx.createImageData(width, height);
    for (let i = 0; i < width * height; i++) {
      const [r, g, b] = color(i);
      image.data.set([r, g, b, 255], i * 4);
    }
    ctx.putImageData(image, 0, 0);
  }, [width, height, color]);
  const scale = size / Math.max(width, height);
  return <canvas ref={ref} width={width} height={height} className="inside-pixels" style={{ width: width * scale, height: height * scale }} title={title} />;
}

function FeatureMapCanvas({ map, width, height, size, title }: { map: FeatureMap; width: number; height: number; size: number; title?: string }) {
  const color = (i: number): [number, number, number] => [map.pixels[i], map.pixels[i], map.pixels[i]];
  return <PixelCanvas width={width} height={height} color={color} size={size} title={title} />;
}

/** Attention probability 0..1 as white → deep blue. */
function heat(v: number): [number, number, number] {
  const t = Math.max(0, Math.min(1, v));
  return [Math.round(255 - 225 * t), Math.round(255 - 175 * t), Math.round(255 - 55 * t)];
}

function Histogram({ bins, width, height }: { bins: number[]; width: number; height: number }) {
  const max = Math.max(1, ...bins);
  const w = width / bins.length;
  return (
    <svg width={width} height={height} className="inside-histogram" role="img" aria-label="histogram of the layer's values">
      {bins.map((c, i) => {
        const h = (c / max) * (height - 1);
        return <rect key={i} x={i * w} y={height - h} width={Math.max(1, w - 1)} height={h} />;
      })}
    </svg>
  );
}

function fmt(v: number): string {
  return Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(2) : Number(v.toPrecision(3)).toString();
}

/** One layer's activations in full (the Inside tab). How it is drawn is in the summary the engine chose from the output. */
export const ActivationView = memo(function ActivationView({ activation }: { activation: LayerActivation }) {
  const s: ActivationSummary = activation.summary;
  const id = activation.layer;
  if (s.view === 'featureMaps') {
    return (
      <div className="inside-view" data-testid={`inside-featuremaps-${id}`}>
        <div className="inside-maps">
          {s.maps.map((m, ch) => (
            <FeatureMapCanvas key={ch} map={m} width={s.mapWidth} height={s.mapHeight} size={56} title={`channel ${ch + 1}: ${fmt(m.min)} … ${fmt(m.max)}`} />
          ))}
        </div>
        <div className="inside-caption">
          {s.channels} channel{s.channels === 1 ? '' : 's'} of {s.height}×{s.width}
          {s.maps.length < s.channels ? ` (first ${s.maps.length} shown)` : ''}
          {s.mapWidth < s.width ? `, drawn at ${s.mapHeight}×${s.mapWidth}` : ''}
        </div>
      </div>
    );
  }
  if (s.view === 'heatmap') {
    return (
      <div className="inside-view" data-testid={`inside-heatmap-${id}`}>
        <div className="inside-maps">
          {s.matrices.map((m, h) => (
            <figure key={h} className="inside-head">
              <PixelCanvas width={s.cols} height={s.rows} color={(i) => heat(m[i])} size={96} title={`head ${h + 1}: rows are query steps, columns the steps they look at`} />
              <figcaption>head {h + 1}</figcaption>
            </figure>
          ))}
        </div>
        <div className="inside-caption">
          Attention of {s.queries} query step{s.queries === 1 ? '' : 's'} over {s.keys} step{s.keys === 1 ? '' : 's'}, {s.heads} head{s.heads === 1 ? '' : 's'}
          {s.matrices.length < s.heads ? ` (first ${s.matrices.length} shown)` : ''}
        </div>
      </div>
    );
  }
  return (
    <div className="inside-view" data-testid={`inside-histogram-${id}`}>
      <Histogram bins={s.bins} width={180} height={56} />
      <div className="inside-caption">
        {s.count.toLocaleString('en-US')} values, {fmt(s.min)} … {fmt(s.max)}; mean {fmt(s.mean)}, std {fmt(s.std)}
        {s.zeros > 0 ? `; ${(s.zeros * 100).toFixed(0)} % exactly 0` : ''}
      </div>
    </div>
  );
});

/** A layer's activations as a small picture for its node on the canvas. */
export const ActivationThumbnail = memo(function ActivationThumbnail({ activation }: { activation: LayerActivation }) {
  const s = activation.summary;
  const title = `${activation.layer}: activations of the sample shown in the Inside tab`;
  if (s.view === 'featureMaps') {
    return (
      <div className="inside-thumb__maps" title={title}>
        {s.maps.slice(0, 4).map((m, ch) => (
          <FeatureMapCanvas key={ch} map={m} width={s.mapWidth} height={s.mapHeight} size={28} />
        ))}
      </div>
    );
  }
  if (s.view === 'heatmap') return <PixelCanvas width={s.cols} height={s.rows} color={(i) => heat(s.matrices[0][i])} size={36} title={title} />;
  return (
    <span title={title}>
      <Histogram bins={s.bins} width={96} height={24} />
    </span>
  );
});
