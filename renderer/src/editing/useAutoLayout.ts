import { useCallback } from 'react';
import { useReactFlow } from '@xyflow/react';
import { useActions } from '../store/context';

/** Runs auto-layout with each layer's measured size, so wide layers (long problem texts) get the room they take. */
export function useAutoLayout(): () => void {
  const actions = useActions();
  const { getNodes } = useReactFlow();
  return useCallback(() => {
    const sizes: Record<string, { width: number; height: number }> = {};
    for (const n of getNodes()) if (n.measured?.width && n.measured.height) sizes[n.id] = { width: n.measured.width, height: n.measured.height };
    void actions.autoLayout({ sizes });
  }, [actions, getNodes]);
}
