import { useEffect, useState, useSyncExternalStore } from 'react';
import type { BrowserGpuInfo } from '../../../main/core/api/contract';
import { useApp } from '../store/context';
import { getComputeChoice, pageGpu, setComputeChoice, subscribeComputeChoice, type UiComputeChoice } from './choice';

function gpuTitle(gpu: BrowserGpuInfo | null): string {
  if (!gpu) return 'Checking this browser’s GPU…';
  if (gpu.available) return `Trains with ${gpu.backend} on ${gpu.device}`;
  return `No usable GPU: ${gpu.attempts.map((a) => `${a.name}: ${a.reason ?? 'unavailable'}`).join('; ')}`;
}

/** "Compute" next to the Train button: train on the engine (Node) or on this browser's GPU (WebGPU / WebGL). */
export function ComputeSelect({ disabled }: { disabled: boolean }) {
  const choice = useSyncExternalStore(subscribeComputeChoice, getComputeChoice, getComputeChoice);
  const info = useApp((s) => s.engine.info);
  const [gpu, setGpu] = useState<BrowserGpuInfo | null>(null);
  useEffect(() => {
    if (!info) return;
    // The desktop app probes its hidden compute window; in browser mode this page is the compute page.
    if (info.browserGpu) setGpu(info.browserGpu);
    else void pageGpu().then(setGpu);
  }, [info]);
  const node = info?.backend;
  const nodeLabel = node ? `Node (${/^GPU/i.test(node.device) ? 'GPU' : 'CPU'}: ${node.name})` : 'Node';
  const gpuLabel = "This browser's GPU (WebGPU/WebGL)";
  return (
    <label className="field field--compact" title={choice === 'browser-gpu' ? gpuTitle(gpu) : node ? `${node.name}: ${node.device}` : undefined}>
      <span className="field__label">Compute</span>
      <select
        className="field__input"
        data-testid="compute-select"
        value={choice}
        disabled={disabled}
        onChange={(e) => setComputeChoice(e.target.value as UiComputeChoice)}
      >
        <option value="node">{nodeLabel}</option>
        <option value="browser-gpu" disabled={gpu !== null && !gpu.available} title={gpuTitle(gpu)}>
          {gpuLabel}
        </option>
      </select>
    </label>
  );
}
