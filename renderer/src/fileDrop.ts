/**
 * Files dropped anywhere on the window: the first one goes to `onFile`, with the others dropped with it (a model.json's
 * weight files). Drags that carry no files (a layer from
 * the palette) are left alone, so the canvas still receives them; a dropped file never makes the page navigate
 * to it. Returns the detach function.
 */
export function attachFileDrop(target: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>, onFile: (file: File, others: File[]) => void): () => void {
  const carriesFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') ?? false;
  const onDragOver = (e: Event) => {
    const drag = e as DragEvent;
    if (!carriesFiles(drag)) return;
    drag.preventDefault();
    if (drag.dataTransfer) drag.dataTransfer.dropEffect = 'copy';
  };
  const onDrop = (e: Event) => {
    const drag = e as DragEvent;
    if (!carriesFiles(drag)) return;
    drag.preventDefault();
    const [file, ...others] = [...(drag.dataTransfer?.files ?? [])];
    if (file) onFile(file, others);
  };
  target.addEventListener('dragover', onDragOver);
  target.addEventListener('drop', onDrop);
  return () => {
    target.removeEventListener('dragover', onDragOver);
    target.removeEventListener('drop', onDrop);
  };
}
