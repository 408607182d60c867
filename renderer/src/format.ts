import { formatShape, type Shape } from '../../main/core/shapes';
import { defaultParams, type ParamDefs } from '../../main/core/layers/params';
import type { BackendInfo } from '../../main/core/api/contract';

// One formatter for every count: toLocaleString makes a new one on each call (a big graph formats one per layer).
const COUNT = new Intl.NumberFormat('en-US');

export function formatCount(n: number): string {
  return COUNT.format(n);
}

export function formatParamCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 1 : 2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return formatCount(n);
}

export function formatValue(value: unknown): string {
  // An axis of unknown length (an Input [?, 16]) shows as ?, as in formatShape.
  if (Array.isArray(value)) return value.map((d) => (d === null ? '?' : String(d))).join('×');
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(+value.toPrecision(4));
  return String(value);
}

/** The key parameters of a layer in a few characters, e.g. "128 · relu". */
export function paramSummary(defs: ParamDefs, values: Record<string, unknown>, max = 3): string {
  const parts: string[] = [];
  for (const [key, def] of Object.entries(defs)) {
    if (def.type === 'bool') continue;
    const v = values[key];
    if (v === undefined || v === null) continue;
    if (def.type === 'layer') {
      // A wrapped layer: its kind and its own key parameters, e.g. "LSTM(32 · tanh)".
      const { kind, params } = v as { kind?: unknown; params?: Record<string, unknown> };
      const inner = def.options.find((o) => o.kind === kind);
      parts.push(inner ? `${inner.label}(${paramSummary(inner.params, { ...defaultParams(inner.params), ...params }, 2)})` : String(kind));
    } else {
      parts.push(formatValue(v));
    }
    if (parts.length >= max) break;
  }
  return parts.join(' · ');
}

export function shapeText(shape: Shape | null | undefined): string {
  return shape ? formatShape(shape) : '?';
}

export function formatEta(sec: number | null): string {
  if (sec === null || !Number.isFinite(sec)) return 'estimating…';
  const s = Math.max(0, Math.round(sec));
  if (s < 60) return `${s}s left`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s left`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m left`;
}

export function formatPercent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

export function backendText(b: BackendInfo): string {
  return `Backend: ${b.name} — ${b.device}`;
}

export function backendTooltip(b: BackendInfo): string {
  const unused = b.attempts.filter((a) => a.name !== b.name);
  if (!unused.length) return `Training runs on ${b.name} (${b.device}).`;
  return ['Backends not used:', ...unused.map((a) => `• ${a.name}: ${a.reason ?? (a.ok ? 'available, not preferred' : 'unavailable')}`)].join('\n');
}
