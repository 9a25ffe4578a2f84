/**
 * Proxmox VE's backup retention (`prune-backups`), as `PVE::Storage::prune_mark_backup_group` marks a group of
 * backups (the archives of one guest on one storage):
 *
 * - protected backups are marked `protected`: never removed, and not counted by any option;
 * - without a positive option, or with `keep-all=1`, everything is kept;
 * - newest first, each option in turn (keep-last, -hourly, -daily, -weekly, -monthly, -yearly) keeps the newest
 *   backup of each of its N most recent periods, skipping backups an earlier option already marked and periods
 *   an earlier option already covers; the other backups of a period it keeps are marked `remove`;
 * - what no option kept is removed.
 *
 * Periods are UTC (a real node uses its local time zone); weeks are ISO weeks (`%V/%G`).
 */

export const PRUNE_KEEP_OPTIONS = [
  'keep-last',
  'keep-hourly',
  'keep-daily',
  'keep-weekly',
  'keep-monthly',
  'keep-yearly',
] as const;
export type PruneKeepOption = (typeof PRUNE_KEEP_OPTIONS)[number];
export type PruneOptions = Partial<Record<PruneKeepOption | 'keep-all', number>>;
export type PruneMark = 'keep' | 'remove' | 'protected';

export interface PrunableBackup {
  /** Seconds since the epoch. */
  ctime: number;
  protected?: boolean;
}

/** `keep-last=3,keep-daily=7` → `{ 'keep-last': 3, 'keep-daily': 7 }`; unknown keys and bad numbers are dropped. */
export function parsePruneBackups(text: string): PruneOptions {
  const options: PruneOptions = {};
  for (const part of text.split(',')) {
    const [key = '', value = ''] = part.split('=').map((s) => s.trim());
    if (!/^\d+$/.test(value)) continue;
    if (key === 'keep-all' || (PRUNE_KEEP_OPTIONS as readonly string[]).includes(key))
      options[key as PruneKeepOption | 'keep-all'] = Number(value);
  }
  return options;
}

/** The property string Proxmox takes (`keep-daily=7,keep-last=3`), options in Proxmox's order, zeros left out. */
export function formatPruneBackups(options: PruneOptions): string {
  if (options['keep-all'] === 1) return 'keep-all=1';
  return PRUNE_KEEP_OPTIONS.filter((key) => (options[key] ?? 0) > 0)
    .map((key) => `${key}=${String(options[key])}`)
    .join(',');
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** ISO 8601 week and week-year (`%V/%G`). */
function isoWeek(date: Date): string {
  const thursday = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  thursday.setUTCDate(thursday.getUTCDate() + 4 - (thursday.getUTCDay() || 7)); // its week's Thursday
  const year = thursday.getUTCFullYear();
  const week = Math.ceil(((thursday.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 + 1) / 7);
  return `${pad(week)}/${String(year)}`;
}

const PERIOD_OF: Record<PruneKeepOption, (ctime: number) => string> = {
  'keep-last': (ctime) => String(ctime),
  'keep-hourly': (ctime) => new Date(ctime * 1000).toISOString().slice(0, 13),
  'keep-daily': (ctime) => new Date(ctime * 1000).toISOString().slice(0, 10),
  'keep-weekly': (ctime) => isoWeek(new Date(ctime * 1000)),
  'keep-monthly': (ctime) => new Date(ctime * 1000).toISOString().slice(0, 7),
  'keep-yearly': (ctime) => new Date(ctime * 1000).toISOString().slice(0, 4),
};

/** Each backup's mark under the retention `options`. */
export function pruneMarks<T extends PrunableBackup>(
  group: readonly T[],
  options: PruneOptions,
): Map<T, PruneMark> {
  const marks = new Map<T, PruneMark>();
  for (const backup of group) if (backup.protected === true) marks.set(backup, 'protected');
  const positive = PRUNE_KEEP_OPTIONS.some((key) => (options[key] ?? 0) > 0);
  if (options['keep-all'] === 1 || !positive) {
    for (const backup of group) if (!marks.has(backup)) marks.set(backup, 'keep');
    return marks;
  }
  const newestFirst = [...group].sort((a, b) => b.ctime - a.ctime);
  for (const option of PRUNE_KEEP_OPTIONS) {
    const count = options[option] ?? 0;
    if (count <= 0) continue;
    const periodOf = PERIOD_OF[option];
    const covered = new Set<string>();
    for (const backup of newestFirst) if (marks.get(backup) === 'keep') covered.add(periodOf(backup.ctime));
    const kept = new Set<string>();
    for (const backup of newestFirst) {
      if (marks.has(backup)) continue;
      const period = periodOf(backup.ctime);
      if (covered.has(period)) continue;
      if (!kept.has(period)) {
        if (kept.size >= count) break;
        kept.add(period);
        marks.set(backup, 'keep');
      } else marks.set(backup, 'remove');
    }
  }
  for (const backup of group) if (!marks.has(backup)) marks.set(backup, 'remove');
  return marks;
}

/** The backups the retention removes (never a protected one), newest first. */
export function backupsToPrune<T extends PrunableBackup>(group: readonly T[], options: PruneOptions): T[] {
  const marks = pruneMarks(group, options);
  return [...group].sort((a, b) => b.ctime - a.ctime).filter((backup) => marks.get(backup) === 'remove');
}
