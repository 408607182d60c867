import { describe, expect, it } from 'vitest';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { ApiMethod, QuantizationChoice } from '../../main/core/api/contract';
import { fakeClient, type Handler } from './helpers/fakeEngine';
import { createAppStore, type AppStore } from '../../renderer/src/store/appStore';
import { AppStoreProvider } from '../../renderer/src/store/context';
import { ExportDialog, accuracyChangeText, fileSizeText } from '../../renderer/src/components/ExportDialog';


const CHOICES: QuantizationChoice[] = [
  { quantization: 'none', weightBytes: 4000, testSamples: 50, testLoss: 0.2, testAccuracy: 0.9, accuracyChange: 0 },
  { quantization: 'float16', weightBytes: 2000, testSamples: 50, testLoss: 0.2, testAccuracy: 0.9, accuracyChange: 0 },
  { quantization: 'uint8', weightBytes: 1000, testSamples: 50, testLoss: 0.25, testAccuracy: 0.88, accuracyChange: -0.02 },
];

function storeWith(handlers: Partial<Record<ApiMethod, Handler>>) {
  const { client, calls } = fakeClient(handlers);
  return { store: createAppStore(client) as AppStore, calls };
}

describe('export dialog', () => {
  it('says an accuracy change in points', () => {
    expect(accuracyChangeText(-0.0213)).toBe('−2.1 points');
    expect(accuracyChangeText(0.004)).toBe('+0.4 points');
    expect(accuracyChangeText(0.0001)).toBe('no change');
    expect(accuracyChangeText(null)).toBe('—');
    expect(fileSizeText(101770)).toBe('99.4 KB');
    expect(fileSizeText(3 * 1024 ** 2)).toBe('3.0 MB');
  });

  it('opens for a run, offers None / float16 / uint8, and exports with the quantization chosen', async () => {
    const { store, calls } = storeWith({
      'export.quantizationPreview': () => ({ choices: CHOICES }),
      'export.run': ({ runId }: { runId: string }) => ({ dir: `/exports/${runId}`, files: ['model.json', 'weights.bin'] }),
    });
    const { actions } = store.getState();
    // Rendered on the server, the store shows its first state: the dialog closed.
    expect(renderToStaticMarkup(createElement(AppStoreProvider, { store, children: createElement(ExportDialog) }))).toBe('');
    actions.askExport({ runId: 'r1', from: 'runs' });
    expect(store.getState().runs.exportDialog).toEqual({ runId: 'r1', from: 'runs' });
    expect(await actions.previewQuantization('r1')).toEqual(CHOICES);
    expect(calls.at(-1)).toEqual({ method: 'export.quantizationPreview', params: { runId: 'r1' } });

    await actions.exportRun('r1', 'uint8');
    expect(calls.at(-1)).toEqual({ method: 'export.run', params: { runId: 'r1', quantize: 'uint8' } });
    await actions.exportRun('r1', 'none');
    expect(calls.at(-1)).toEqual({ method: 'export.run', params: { runId: 'r1' } });
    actions.askExport(null);
    expect(store.getState().runs.exportDialog).toBeNull();
  });
});
