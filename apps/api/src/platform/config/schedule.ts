import { parseExpression } from 'cron-parser';

/** When a recurring job runs: every N milliseconds, or at the times of a cron expression (server time). */
export type Schedule = { every: number } | { cron: string };

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Reads a schedule setting: an interval (`500ms`, `10s`, `5m`, `1h`, `1d`) or a cron expression of five or
 * six fields (`0 3 * * *`). Returns the problem as a string when the text is neither.
 */
export function parseSchedule(text: string): Schedule | string {
  const trimmed = text.trim();
  const interval = /^(\d+)\s*(ms|s|m|h|d)$/.exec(trimmed);
  if (interval) {
    const every = Number(interval[1]) * (UNITS[interval[2] ?? 's'] ?? 1_000);
    if (every < 100) return 'an interval of at least 100ms';
    return { every };
  }
  const fields = trimmed.split(/\s+/);
  if (fields.length === 5 || fields.length === 6) {
    try {
      parseExpression(trimmed);
      return { cron: trimmed };
    } catch (error) {
      return `not a valid cron expression (${error instanceof Error ? error.message : String(error)})`;
    }
  }
  return 'an interval such as 30s, 5m or 1h, or a cron expression such as "0 3 * * *"';
}

export function describeSchedule(schedule: Schedule): string {
  return 'every' in schedule ? `every ${schedule.every} ms` : `cron "${schedule.cron}"`;
}
