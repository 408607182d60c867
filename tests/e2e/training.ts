/** What the training status says when a run was stopped and its model kept, and how many full epochs that was. */
export const STOPPED_WITH_MODEL = /^Stopped (?:in epoch (\d+) at batch \d+\/\d+|after epoch (\d+)(?: of \d+)?); the weights of (?:that moment|epoch \d+ \(the best\)) were kept$/;

/** Full epochs trained before the stop, read from that status text. */
export function epochsCompletedAtStop(status: string | null): number {
  const m = STOPPED_WITH_MODEL.exec(status ?? '');
  if (!m) throw new Error(`not a stopped-with-model status: ${status}`);
  return m[1] !== undefined ? Number(m[1]) - 1 : Number(m[2]);
}
