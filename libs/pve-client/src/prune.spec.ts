import {
  backupsToPrune,
  formatPruneBackups,
  parsePruneBackups,
  pruneMarks,
  type PruneOptions,
} from './prune';

interface Backup {
  at: string;
  ctime: number;
  protected?: boolean;
}

const at = (iso: string, extra: Partial<Backup> = {}): Backup => ({
  at: iso,
  ctime: Date.parse(`${iso}Z`) / 1000,
  ...extra,
});

/** Backups given by their times (UTC, no zone suffix); `!` marks a protected one. */
function group(...times: string[]): Backup[] {
  return times.map((time) => (time.endsWith('!') ? at(time.slice(0, -1), { protected: true }) : at(time)));
}

describe("Proxmox's prune_mark_backup_group", () => {
  it.each<[string, string, Backup[], string[]]>([
    [
      'keep-last keeps the N newest',
      'keep-last=3',
      group(
        '2026-11-26T03:00',
        '2026-11-27T03:00',
        '2026-11-28T03:00',
        '2026-11-29T03:00',
        '2026-11-30T03:00',
      ),
      ['2026-11-30T03:00', '2026-11-29T03:00', '2026-11-28T03:00'],
    ],
    [
      'keep-daily keeps the newest of each of the N most recent days',
      'keep-daily=2',
      group(
        '2026-11-30T23:00',
        '2026-11-30T03:00',
        '2026-11-29T12:00',
        '2026-11-29T01:00',
        '2026-11-28T03:00',
      ),
      ['2026-11-30T23:00', '2026-11-29T12:00'],
    ],
    [
      // keep-last took 30 Nov: keep-daily skips that day and counts 29 and 28 Nov (the other 30 Nov backup goes).
      'a period an earlier option covers is skipped and not counted',
      'keep-last=1,keep-daily=2',
      group(
        '2026-11-30T03:00',
        '2026-11-30T01:00',
        '2026-11-29T03:00',
        '2026-11-28T03:00',
        '2026-11-27T03:00',
      ),
      ['2026-11-30T03:00', '2026-11-29T03:00', '2026-11-28T03:00'],
    ],
    [
      // ISO weeks start on Monday: Sun 29 Nov and Mon 23 Nov are one week, Mon 30 Nov the next.
      'keep-weekly counts ISO weeks (Monday to Sunday)',
      'keep-weekly=2',
      group(
        '2026-11-30T03:00',
        '2026-11-29T03:00',
        '2026-11-23T03:00',
        '2026-11-22T03:00',
        '2026-11-15T03:00',
      ),
      ['2026-11-30T03:00', '2026-11-29T03:00'],
    ],
    [
      'keep-weekly at a year boundary: 31 Dec 2026 and 1 Jan 2027 share week 53 of 2026',
      'keep-weekly=2',
      group('2027-01-04T03:00', '2027-01-01T03:00', '2026-12-31T03:00', '2026-12-27T03:00'),
      ['2027-01-04T03:00', '2027-01-01T03:00'],
    ],
    [
      'keep-monthly keeps the newest of each of the N most recent months',
      'keep-monthly=2',
      group(
        '2026-11-30T03:00',
        '2026-11-01T03:00',
        '2026-10-31T03:00',
        '2026-10-01T03:00',
        '2026-09-30T03:00',
      ),
      ['2026-11-30T03:00', '2026-10-31T03:00'],
    ],
    [
      'a daily/weekly/monthly policy over two months of nightly backups',
      'keep-daily=3,keep-weekly=2,keep-monthly=2',
      group(
        ...Array.from({ length: 61 }, (_, i) =>
          new Date(Date.UTC(2026, 9, 1 + i, 2)).toISOString().slice(0, 16),
        ),
      ),
      // The 3 newest days (28–30 Nov); weeks not yet covered: 16–22 Nov and 9–15 Nov (23–29 Nov is);
      // months not yet covered: October only (no September backups exist).
      [
        '2026-11-30T02:00',
        '2026-11-29T02:00',
        '2026-11-28T02:00',
        '2026-11-22T02:00',
        '2026-11-15T02:00',
        '2026-10-31T02:00',
      ],
    ],
    [
      'protected backups are never removed and not counted',
      'keep-last=1',
      group('2026-11-30T03:00!', '2026-11-29T03:00', '2026-11-28T03:00', '2026-11-27T03:00!'),
      ['2026-11-30T03:00', '2026-11-29T03:00', '2026-11-27T03:00'],
    ],
    [
      'no positive option keeps everything',
      'keep-last=0',
      group('2026-11-30T03:00', '2026-11-29T03:00'),
      ['2026-11-30T03:00', '2026-11-29T03:00'],
    ],
    [
      'keep-all=1 keeps everything',
      'keep-all=1,keep-last=1',
      group('2026-11-30T03:00', '2026-11-29T03:00'),
      ['2026-11-30T03:00', '2026-11-29T03:00'],
    ],
  ])('%s (%s)', (_title, retention, backups, kept) => {
    const removed = backupsToPrune(backups, parsePruneBackups(retention));
    const keptNow = backups
      .filter((backup) => !removed.includes(backup))
      .sort((a, b) => b.ctime - a.ctime)
      .map((backup) => backup.at);
    expect(keptNow).toEqual(kept);
    expect(removed.some((backup) => backup.protected === true)).toBe(false);
  });

  it('marks protected backups as protected, not keep', () => {
    const backups = group('2026-11-30T03:00!', '2026-11-29T03:00');
    const marks = pruneMarks(backups, { 'keep-last': 1 });
    expect(backups.map((backup) => marks.get(backup))).toEqual(['protected', 'keep']);
  });

  it.each<[string, PruneOptions, string]>([
    ['keep-last=3,keep-daily=7', { 'keep-last': 3, 'keep-daily': 7 }, 'keep-last=3,keep-daily=7'],
    [
      'keep-monthly=1, keep-weekly=2,bogus=1',
      { 'keep-monthly': 1, 'keep-weekly': 2 },
      'keep-weekly=2,keep-monthly=1',
    ],
    ['keep-all=1', { 'keep-all': 1 }, 'keep-all=1'],
  ])('parses %j and formats it back in Proxmox order', (text, options, formatted) => {
    expect(parsePruneBackups(text)).toEqual(options);
    expect(formatPruneBackups(options)).toBe(formatted);
  });
});
