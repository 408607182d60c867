import { useCallback } from 'react';
import { useReactFlow } from '@xyflow/react';
import { useActions } from '../store/context';

/** Runs auto-layout with each layer's measured size, so wide layers (long problem texts) get the room they take. */
export function useAutoLayout(): () => void {
  const actions = useActions();
  const { getNodes, getInternalNode } = useReactFlow();
  return useCallback(() => {
    const sizes: Record<string, { width: number; height: number }> = {};
    // xyflow's own record: the canvas does not copy every new measurement into its node objects (see Canvas).
    for (const n of getNodes()) {
      const size = getInternalNode(n.id)?.measured;
      if (size?.width && size.height) sizes[n.id] = { width: size.width, height: size.height };
    }
    void actions.autoLayout({ sizes });
  }, [actions, getNodes, getInternalNode]);
}
