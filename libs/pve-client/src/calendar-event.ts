/**
 * Proxmox VE calendar events (the `pve-calendar-event` format of backup jobs' `schedule`): a subset of systemd's
 * calendar events, parsed as proxmox-time's `calendar_event.rs` does and documented in the PVE admin guide
 * ("Schedule Format"):
 *
 *   [WEEKDAY] [[YEARS-]MONTH-DAYS] [HOURS:MINUTES[:SECONDS]]
 *
 * - weekdays: `mon`..`sun` (or full names), lists `mon,wed` and ranges `mon..fri`;
 * - each number field: `*`, `*\/step`, a value, a list `a,b`, a range `a..b`, a repetition `start/step` or
 *   `start..end/step`;
 * - a time of one field is the minutes (`*\/15`, `30/10`): the hours are then any hour;
 * - without a time, a weekday or a date means 00:00; seconds default to 0;
 * - keywords: minutely, hourly, daily, weekly, monthly, yearly (annually), quarterly, semiannually
 *   (semi-annually).
 *
 * Both the simulator (to run jobs) and Proxdeck (to preview them) compute next runs here, in the time zone the
 * nodes run in (pvescheduler uses the node's local time; `GET /nodes/{node}/time` says which): an IANA zone
 * such as `Asia/Seoul`, UTC by default. A local time a daylight-saving change skips does not happen that day; one
 * it repeats happens once, at its first occurrence.
 */

/** One element of a field list. */
export type CalendarValue =
  | { kind: 'single'; value: number }
  | { kind: 'range'; start: number; end: number }
  | { kind: 'repeat'; start: number; step: number; end?: number };

/** An empty list means any value. */
export type CalendarField = readonly CalendarValue[];

export interface CalendarEvent {
  /** 0 = Sunday … 6 = Saturday; empty: any day of the week. */
  weekdays: readonly number[];
  years: CalendarField;
  months: CalendarField;
  days: CalendarField;
  hours: CalendarField;
  minutes: CalendarField;
  seconds: CalendarField;
}

export class CalendarEventError extends Error {
  constructor(
    readonly text: string,
    readonly reason: string,
  ) {
    // PVE::CalendarEvent::pve_verify_calendar_event's wording.
    super(`invalid calendar event '${text}' - ${reason}`);
    this.name = 'CalendarEventError';
  }
}

const KEYWORDS: Record<string, string> = {
  minutely: '*-*-* *:*:00',
  hourly: '*-*-* *:00:00',
  daily: '*-*-* 00:00:00',
  weekly: 'mon *-*-* 00:00:00',
  monthly: '*-*-01 00:00:00',
  yearly: '*-01-01 00:00:00',
  annually: '*-01-01 00:00:00',
  quarterly: '*-01,04,07,10-01 00:00:00',
  semiannually: '*-01,07-01 00:00:00',
  'semi-annually': '*-01,07-01 00:00:00',
};

const WEEKDAYS: Record<string, number> = {
  sun: 0,
  sunday: 0,
  mon: 1,
  monday: 1,
  tue: 2,
  tuesday: 2,
  wed: 3,
  wednesday: 3,
  thu: 4,
  thursday: 4,
  fri: 5,
  friday: 5,
  sat: 6,
  saturday: 6,
};

const ZERO: CalendarField = [{ kind: 'single', value: 0 }];

class Reject extends Error {}

function number(text: string, min: number, max: number, what: string): number {
  if (!/^\d{1,4}$/.test(text)) throw new Reject(`expected a number for ${what}, got '${text}'`);
  const value = Number(text);
  if (value < min || value > max) throw new Reject(`${what} value ${text} out of range ${min}..${max}`);
  return value;
}

/** One field: `*`, `*\/n`, or a comma list of values, ranges and repetitions. */
function field(text: string, min: number, max: number, what: string): CalendarField {
  if (text === '*') return [];
  if (text.startsWith('*/')) {
    const step = number(text.slice(2), 0, max, `${what} repetition`);
    return step > 0 ? [{ kind: 'repeat', start: min, step }] : [];
  }
  if (text === '') throw new Reject(`missing ${what}`);
  return text.split(',').map((part): CalendarValue => {
    const [base = '', stepText, extra] = part.split('/');
    if (extra !== undefined) throw new Reject(`invalid ${what} '${part}'`);
    const [startText = '', endText, rest] = base.split('..');
    if (rest !== undefined) throw new Reject(`invalid ${what} '${part}'`);
    const start = number(startText, min, max, what);
    const end = endText === undefined ? undefined : number(endText, min, max, what);
    if (end !== undefined && start > end) throw new Reject('range start is bigger than end');
    if (stepText !== undefined) {
      const step = number(stepText, 0, max, `${what} repetition`);
      if (step === 0)
        return end === undefined ? { kind: 'single', value: start } : { kind: 'range', start, end };
      return end === undefined ? { kind: 'repeat', start, step } : { kind: 'repeat', start, step, end };
    }
    return end === undefined ? { kind: 'single', value: start } : { kind: 'range', start, end };
  });
}

function weekdayList(text: string): number[] {
  const days = new Set<number>();
  for (const part of text.toLowerCase().split(',')) {
    const [from = '', to, extra] = part.split('..');
    const start = WEEKDAYS[from];
    if (start === undefined || extra !== undefined) throw new Reject(`invalid weekday '${part}'`);
    if (to === undefined) {
      days.add(start);
      continue;
    }
    const end = WEEKDAYS[to];
    if (end === undefined) throw new Reject(`invalid weekday '${to}'`);
    // Monday-first, as proxmox-time: `sat..sun` is the weekend; a range past Sunday wraps (`fri..mon`).
    const a = (start + 6) % 7;
    const b = (end + 6) % 7;
    for (let d = a; ; d = (d + 1) % 7) {
      days.add((d + 1) % 7);
      if (d === b) break;
    }
  }
  return [...days].sort((x, y) => x - y);
}

/** Parses a calendar event; throws {@link CalendarEventError} with the reason Proxmox would refuse it for. */
export function parseCalendarEvent(text: string): CalendarEvent {
  try {
    return parse(text);
  } catch (error) {
    if (error instanceof Reject) throw new CalendarEventError(text, error.message);
    throw error;
  }
}

function parse(text: string): CalendarEvent {
  const trimmed = text.trim();
  if (trimmed === '') throw new Reject('empty calendar event');
  const source = KEYWORDS[trimmed.toLowerCase()] ?? trimmed;
  const tokens = source.split(/\s+/);
  let weekdays: number[] = [];
  let hasDate = false;
  let hasWeekday = false;
  const event: CalendarEvent = {
    weekdays,
    years: [],
    months: [],
    days: [],
    hours: ZERO,
    minutes: ZERO,
    seconds: ZERO,
  };
  let token = tokens.shift();
  if (token !== undefined && /^[a-z]/i.test(token)) {
    weekdays = weekdayList(token);
    hasWeekday = true;
    token = tokens.shift();
  }
  if (token?.includes('-')) {
    const parts = token.split('-');
    if (parts.length === 3) {
      event.years = field(parts[0] ?? '', 1970, 9999, 'year');
      event.months = field(parts[1] ?? '', 1, 12, 'month');
      event.days = field(parts[2] ?? '', 1, 31, 'day');
    } else if (parts.length === 2) {
      event.months = field(parts[0] ?? '', 1, 12, 'month');
      event.days = field(parts[1] ?? '', 1, 31, 'day');
    } else throw new Reject(`invalid date '${token}'`);
    hasDate = true;
    token = tokens.shift();
  }
  if (token !== undefined) {
    const parts = token.split(':');
    if (parts.length === 1) {
      event.hours = [];
      event.minutes = field(parts[0] ?? '', 0, 59, 'minute');
    } else if (parts.length === 2 || parts.length === 3) {
      event.hours = field(parts[0] ?? '', 0, 23, 'hour');
      event.minutes = field(parts[1] ?? '', 0, 59, 'minute');
      if (parts[2] !== undefined) event.seconds = field(parts[2], 0, 59, 'second');
    } else throw new Reject(`invalid time '${token}'`);
    token = tokens.shift();
  } else if (!hasDate && !hasWeekday) throw new Reject('unable to parse calendar event');
  if (token !== undefined) throw new Reject(`unexpected '${[token, ...tokens].join(' ')}'`);
  event.weekdays = weekdays;
  return event;
}

/** Whether `text` is a calendar event Proxmox accepts; the reason when it is not. */
export function calendarEventError(text: string): string | undefined {
  try {
    parseCalendarEvent(text);
    return undefined;
  } catch (error) {
    if (error instanceof CalendarEventError) return error.message;
    throw error;
  }
}

function matches(list: CalendarField, value: number): boolean {
  if (list.length === 0) return true;
  return list.some((entry) => {
    switch (entry.kind) {
      case 'single':
        return entry.value === value;
      case 'range':
        return value >= entry.start && value <= entry.end;
      case 'repeat':
        return (
          value >= entry.start &&
          (entry.end === undefined || value <= entry.end) &&
          (value - entry.start) % entry.step === 0
        );
    }
  });
}

function valuesOf(list: CalendarField, min: number, max: number): number[] {
  const out: number[] = [];
  for (let v = min; v <= max; v++) if (matches(list, v)) out.push(v);
  return out;
}

/** How far ahead a next run is looked for (a date that never comes again, e.g. `2015-10-21`, has none). */
const HORIZON_YEARS = 30;

/** Formatters of the wall clock in a time zone, by zone (making one is slow). */
const wallClocks = new Map<string, Intl.DateTimeFormat>();

function wallClock(timeZone: string): Intl.DateTimeFormat {
  let format = wallClocks.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    wallClocks.set(timeZone, format);
  }
  return format;
}

/** Whether `timeZone` is a time zone this runtime knows (`UTC`, `Asia/Seoul`, ...). */
export function isTimeZone(timeZone: string): boolean {
  try {
    wallClock(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * The wall-clock time in `timeZone` at `instant` (epoch ms), as the milliseconds of a UTC date with the same
 * fields (what Proxmox calls `localtime`, in seconds).
 */
export function wallTimeAt(instant: number, timeZone: string): number {
  const fields: Record<string, number> = {};
  for (const part of wallClock(timeZone).formatToParts(new Date(instant)))
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  return Date.UTC(
    fields.year ?? 1970,
    (fields.month ?? 1) - 1,
    fields.day ?? 1,
    fields.hour ?? 0,
    fields.minute ?? 0,
    fields.second ?? 0,
  );
}

/** The instant at which the wall clock of `timeZone` shows `wall` (first one if twice), null if never. */
function instantOfWallTime(wall: number, timeZone: string): number | null {
  // The offsets just before and after the wall time: a daylight-saving change between them is one of the two.
  const candidates = [wall - 86_400_000, wall + 86_400_000]
    .map((probe) => wall - (wallTimeAt(probe, timeZone) - probe))
    .sort((a, b) => a - b);
  return candidates.find((instant) => wallTimeAt(instant, timeZone) === wall) ?? null;
}

/**
 * The first time strictly after `after` (whole seconds) that the event names on the wall clock of `timeZone`
 * (UTC by default), or null when there is none within {@link HORIZON_YEARS} years.
 */
export function nextCalendarEvent(event: CalendarEvent | string, after: Date, timeZone = 'UTC'): Date | null {
  const spec = typeof event === 'string' ? parseCalendarEvent(event) : event;
  if (timeZone === 'UTC') return nextWallTime(spec, after.getTime());
  let from = wallTimeAt(Math.floor(after.getTime() / 1000) * 1000, timeZone);
  for (;;) {
    const wall = nextWallTime(spec, from);
    if (wall === null) return null;
    const instant = instantOfWallTime(wall.getTime(), timeZone);
    if (instant !== null && instant > after.getTime()) return new Date(instant);
    from = wall.getTime(); // skipped by a daylight-saving change: the next one
  }
}

/** The first wall time (a UTC date with the wall clock's fields) strictly after `after` that the event names. */
function nextWallTime(spec: CalendarEvent, afterMs: number): Date | null {
  const hours = valuesOf(spec.hours, 0, 23);
  const minutes = valuesOf(spec.minutes, 0, 59);
  const seconds = valuesOf(spec.seconds, 0, 59);
  const from = Math.floor(afterMs / 1000) + 1; // strictly later, in whole seconds
  const start = new Date(from * 1000);
  const startDay = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate());
  const startSecondOfDay = Math.floor((from * 1000 - startDay) / 1000);
  const lastYear = start.getUTCFullYear() + HORIZON_YEARS;
  for (let day = startDay; ; day += 86_400_000) {
    const date = new Date(day);
    const year = date.getUTCFullYear();
    if (year > lastYear) return null;
    if (!matches(spec.years, year)) {
      day = Date.UTC(year + 1, 0, 1) - 86_400_000;
      continue;
    }
    if (!matches(spec.months, date.getUTCMonth() + 1)) {
      day = Date.UTC(year, date.getUTCMonth() + 1, 1) - 86_400_000;
      continue;
    }
    if (!matches(spec.days, date.getUTCDate())) continue;
    if (spec.weekdays.length > 0 && !spec.weekdays.includes(date.getUTCDay())) continue;
    const floor = day === startDay ? startSecondOfDay : 0;
    for (const h of hours) {
      if ((h + 1) * 3600 <= floor) continue;
      for (const m of minutes) {
        if (h * 3600 + (m + 1) * 60 <= floor) continue;
        for (const s of seconds) {
          const second = h * 3600 + m * 60 + s;
          if (second >= floor) return new Date(day + second * 1000);
        }
      }
    }
  }
}

/** The next `count` runs after `after` in `timeZone` (UTC by default; fewer when the event ends). */
export function nextCalendarEvents(
  event: CalendarEvent | string,
  after: Date,
  count: number,
  timeZone = 'UTC',
): Date[] {
  const spec = typeof event === 'string' ? parseCalendarEvent(event) : event;
  const out: Date[] = [];
  let last = after;
  while (out.length < count) {
    const next = nextCalendarEvent(spec, last, timeZone);
    if (next === null) break;
    out.push(next);
    last = next;
  }
  return out;
}
