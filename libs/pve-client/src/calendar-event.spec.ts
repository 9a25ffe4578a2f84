import {
  calendarEventError,
  isTimeZone,
  nextCalendarEvent,
  nextCalendarEvents,
  parseCalendarEvent,
} from './calendar-event';

/** Tuesday 1 December 2026, 02:30:00 UTC. */
const NOW = new Date('2026-12-01T02:30:00Z');

describe('Proxmox calendar events', () => {
  // The examples of the PVE admin guide ("Schedule Format") and the forms the issue names.
  it.each([
    ['daily', ['2026-12-02T00:00:00Z', '2026-12-03T00:00:00Z']],
    ['sat 02:00', ['2026-12-05T02:00:00Z', '2026-12-12T02:00:00Z']],
    ['mon..fri 22:30', ['2026-12-01T22:30:00Z', '2026-12-02T22:30:00Z']],
    ['*-*-1 03:00', ['2026-12-01T03:00:00Z', '2027-01-01T03:00:00Z']],
    ['*/15', ['2026-12-01T02:45:00Z', '2026-12-01T03:00:00Z']],
    ['0/5', ['2026-12-01T02:35:00Z', '2026-12-01T02:40:00Z']],
    ['12:05', ['2026-12-01T12:05:00Z', '2026-12-02T12:05:00Z']],
    ['mon,wed,fri', ['2026-12-02T00:00:00Z', '2026-12-04T00:00:00Z', '2026-12-07T00:00:00Z']],
    ['sat..sun', ['2026-12-05T00:00:00Z', '2026-12-06T00:00:00Z', '2026-12-12T00:00:00Z']],
    [
      'fri..mon 01:00',
      [
        '2026-12-04T01:00:00Z',
        '2026-12-05T01:00:00Z',
        '2026-12-06T01:00:00Z',
        '2026-12-07T01:00:00Z',
        '2026-12-11T01:00:00Z',
      ],
    ],
    ['mon..wed 30/10', ['2026-12-01T02:40:00Z', '2026-12-01T02:50:00Z', '2026-12-01T03:30:00Z']],
    ['mon..fri 8..17,22:0/15', ['2026-12-01T08:00:00Z', '2026-12-01T08:15:00Z']],
    [
      'fri 12..13:5/20',
      [
        '2026-12-04T12:05:00Z',
        '2026-12-04T12:25:00Z',
        '2026-12-04T12:45:00Z',
        '2026-12-04T13:05:00Z',
        '2026-12-04T13:25:00Z',
        '2026-12-04T13:45:00Z',
        '2026-12-11T12:05:00Z',
      ],
    ],
    ['12/2:5', ['2026-12-01T12:05:00Z', '2026-12-01T14:05:00Z']],
    ['12,14,16,18,20,22:5', ['2026-12-01T12:05:00Z', '2026-12-01T14:05:00Z']],
    ['*', ['2026-12-01T02:31:00Z', '2026-12-01T02:32:00Z']],
    ['*-05', ['2026-12-05T00:00:00Z', '2027-01-05T00:00:00Z']],
    ['Sat *-1..7 15:00', ['2026-12-05T15:00:00Z', '2027-01-02T15:00:00Z']],
    ['2015-10-21', []],
    ['2027-03-04 05:06:07', ['2027-03-04T05:06:07Z']],
    ['hourly', ['2026-12-01T03:00:00Z']],
    ['minutely', ['2026-12-01T02:31:00Z']],
    ['weekly', ['2026-12-07T00:00:00Z', '2026-12-14T00:00:00Z']],
    ['monthly', ['2027-01-01T00:00:00Z', '2027-02-01T00:00:00Z']],
    ['quarterly', ['2027-01-01T00:00:00Z', '2027-04-01T00:00:00Z']],
    ['semiannually', ['2027-01-01T00:00:00Z', '2027-07-01T00:00:00Z']],
    ['yearly', ['2027-01-01T00:00:00Z', '2028-01-01T00:00:00Z']],
    ['*-02-29', ['2028-02-29T00:00:00Z', '2032-02-29T00:00:00Z']],
    ['*-*-31 23:59:30', ['2026-12-31T23:59:30Z', '2027-01-31T23:59:30Z', '2027-03-31T23:59:30Z']],
    ['*:0/30:0/20', ['2026-12-01T02:30:20Z', '2026-12-01T02:30:40Z', '2026-12-01T03:00:00Z']],
  ])('%s runs next at %j', (schedule, expected) => {
    const runs = nextCalendarEvents(schedule, NOW, expected.length === 0 ? 1 : expected.length);
    expect(runs.map((date) => date.toISOString().replace('.000', ''))).toEqual(expected);
  });

  it('is strictly after the given time, also exactly on a run', () => {
    expect(nextCalendarEvent('sat 02:00', new Date('2026-12-05T02:00:00Z'))?.toISOString()).toBe(
      '2026-12-12T02:00:00.000Z',
    );
    expect(nextCalendarEvent('sat 02:00', new Date('2026-12-05T01:59:59.500Z'))?.toISOString()).toBe(
      '2026-12-05T02:00:00.000Z',
    );
  });

  it.each([
    ['', 'empty calendar event'],
    ['every day', "invalid weekday 'every'"],
    ['25:00', 'hour value 25 out of range 0..23'],
    ['12:60', 'minute value 60 out of range 0..59'],
    ['funday 02:00', "invalid weekday 'funday'"],
    ['*-13-01', 'month value 13 out of range 1..12'],
    ['*-*-32', 'day value 32 out of range 1..31'],
    ['5..3', 'range start is bigger than end'],
    ['mon 02:00 extra', "unexpected 'extra'"],
    ['1:2:3:4', "invalid time '1:2:3:4'"],
    ['mon..', "invalid weekday ''"],
    ['02:xx', "expected a number for minute, got 'xx'"],
  ])('refuses %j (%s)', (schedule, reason) => {
    expect(calendarEventError(schedule)).toBe(`invalid calendar event '${schedule}' - ${reason}`);
    expect(() => parseCalendarEvent(schedule)).toThrow(reason);
  });

  it('accepts the documented forms', () => {
    for (const schedule of [
      'daily',
      'sat 02:00',
      'mon..fri 22:30',
      '*-*-1 03:00',
      '*/15',
      'Sat *-1..7 15:00',
    ])
      expect(calendarEventError(schedule)).toBeUndefined();
  });

  describe("in the nodes' time zone", () => {
    const runs = (schedule: string, after: string, timeZone: string, count = 3) =>
      nextCalendarEvents(schedule, new Date(after), count, timeZone).map((date) => date.toISOString());

    it('runs at the wall-clock time of the zone (Seoul is 9 hours ahead of UTC)', () => {
      expect(runs('02:30', '2026-12-01T02:30:00Z', 'Asia/Seoul')).toEqual([
        '2026-12-01T17:30:00.000Z',
        '2026-12-02T17:30:00.000Z',
        '2026-12-03T17:30:00.000Z',
      ]);
      // A weekday is the zone's: Saturday 01:00 in Seoul is Friday 16:00 UTC.
      expect(runs('sat 01:00', '2026-12-01T00:00:00Z', 'Asia/Seoul', 1)).toEqual([
        '2026-12-04T16:00:00.000Z',
      ]);
      expect(runs('*/15', '2026-12-01T02:31:00Z', 'Asia/Kolkata', 2)).toEqual([
        '2026-12-01T02:45:00.000Z',
        '2026-12-01T03:00:00.000Z',
      ]);
    });

    it('skips a local time the spring change leaves out, and runs a repeated one once', () => {
      // Europe/Berlin: 2026-03-29 02:00 CET → 03:00 CEST; 2026-10-25 03:00 CEST → 02:00 CET.
      expect(runs('02:30', '2026-03-27T12:00:00Z', 'Europe/Berlin')).toEqual([
        '2026-03-28T01:30:00.000Z',
        '2026-03-30T00:30:00.000Z',
        '2026-03-31T00:30:00.000Z',
      ]);
      expect(runs('02:30', '2026-10-24T12:00:00Z', 'Europe/Berlin')).toEqual([
        '2026-10-25T00:30:00.000Z',
        '2026-10-26T01:30:00.000Z',
        '2026-10-27T01:30:00.000Z',
      ]);
      expect(runs('hourly', '2026-10-24T23:30:00Z', 'Europe/Berlin', 4)).toEqual([
        '2026-10-25T00:00:00.000Z',
        '2026-10-25T02:00:00.000Z', // 03:00 CET; 02:00 came first at 00:00Z
        '2026-10-25T03:00:00.000Z',
        '2026-10-25T04:00:00.000Z',
      ]);
    });

    it('is UTC by default and for UTC, and knows the zones the runtime knows', () => {
      expect(runs('02:30', '2026-12-01T00:00:00Z', 'UTC', 1)).toEqual(['2026-12-01T02:30:00.000Z']);
      expect(nextCalendarEvent('02:30', new Date('2026-12-01T00:00:00Z'))?.toISOString()).toBe(
        '2026-12-01T02:30:00.000Z',
      );
      expect(isTimeZone('Asia/Seoul')).toBe(true);
      expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
    });
  });
});
