/** How the servers feature writes figures: sizes in binary units, CPU use as a percentage. */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** 1073741824 → "1.0 GiB". */
export function formatBytes(bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? String(value) : value.toFixed(1)} ${UNITS[unit] ?? 'B'}`;
}

/** A 0..1 share as a whole percentage (0.254 → 25). */
export function percent(share: number): number {
  return Math.round(Math.min(1, Math.max(0, share)) * 100);
}

/** 93784 → "1d 2h 3m". */
export function formatUptime(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3_600);
  const minutes = Math.floor((seconds % 3_600) / 60);
  return [
    days > 0 ? `${String(days)}d` : '',
    hours > 0 || days > 0 ? `${String(hours)}h` : '',
    `${String(minutes)}m`,
  ]
    .filter(Boolean)
    .join(' ');
}
