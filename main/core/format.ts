/** Sizes in messages people read: "307.2 MB", "1.50 GB", "47.7 GB". */
export function formatBytes(bytes: number): string {
  const gb = bytes / 1024 ** 3;
  if (gb >= 1) return `${gb.toFixed(gb < 10 ? 2 : 1)} GB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}
