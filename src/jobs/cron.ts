/**
 * A five-field cron expression (minute hour day-of-month month day-of-week) in
 * local time: `*`, numbers, ranges `a-b`, lists `a,b`, steps `*\/n` and `a-b/n`,
 * month and day names. Day-of-month and day-of-week combine as in Vixie cron:
 * when both are restricted, a day matching either one matches.
 */

export interface CronExpression {
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  daysOfMonth: ReadonlySet<number>;
  months: ReadonlySet<number>;
  daysOfWeek: ReadonlySet<number>;
  /** Whether day-of-month / day-of-week were restricted (not `*`). */
  domRestricted: boolean;
  dowRestricted: boolean;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
  /** First value a name stands for (months are 1-based). */
  nameBase?: number;
}

const FIELDS: FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, nameBase: 1 },
  { name: 'day of week', min: 0, max: 7, names: DAYS, nameBase: 0 },
];

/** The form a schedule must have, for messages. */
export const CRON_FORM = "a cron expression of 5 fields like '*/5 * * * *' (minute hour day month weekday)";

/** Parses one value (number or name) of a field; null when invalid. */
function parseValue(text: string, spec: FieldSpec): number | null {
  const byName = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  if (byName >= 0) return byName + (spec.nameBase ?? 0);
  if (!/^\d{1,2}$/.test(text)) return null;
  const n = Number(text);
  return n >= spec.min && n <= spec.max ? n : null;
}

/** Parses one field into its set of values, or an error message. */
function parseField(text: string, spec: FieldSpec): Set<number> | string {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const match = /^([^/]+)(?:\/(\d{1,2}))?$/.exec(part);
    if (!match) return `bad ${spec.name} '${part}'`;
    const [, range, stepText] = match;
    const step = stepText === undefined ? 1 : Number(stepText);
    if (step < 1) return `bad step in ${spec.name} '${part}'`;
    let from: number | null;
    let to: number | null;
    if (range === '*') {
      from = spec.min;
      to = spec.max;
    } else {
      const bounds = range!.split('-');
      if (bounds.length > 2) return `bad range in ${spec.name} '${part}'`;
      from = parseValue(bounds[0]!, spec);
      to = bounds.length === 2 ? parseValue(bounds[1]!, spec) : stepText === undefined ? from : spec.max;
    }
    if (from === null || to === null || from > to) {
      return `${spec.name} '${part}' is outside ${spec.min}-${spec.max}`;
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

/** Parses a cron expression; returns it or a message saying what is wrong. */
export function parseCron(text: string): CronExpression | string {
  const fields = text.trim().split(/\s+/);
  if (fields.length !== 5) return `expected 5 fields, got ${fields.length}`;
  const sets: Array<Set<number>> = [];
  for (const [index, spec] of FIELDS.entries()) {
    const parsed = parseField(fields[index]!, spec);
    if (typeof parsed === 'string') return parsed;
    sets.push(parsed);
  }
  const dow = sets[4]!;
  if (dow.has(7)) dow.add(0); // 7 is Sunday too
  return {
    minutes: sets[0]!,
    hours: sets[1]!,
    daysOfMonth: sets[2]!,
    months: sets[3]!,
    daysOfWeek: dow,
    domRestricted: fields[2] !== '*',
    dowRestricted: fields[4] !== '*',
  };
}

/** Whether the day of `date` matches (Vixie cron's either-or rule when both are restricted). */
function dayMatches(cron: CronExpression, date: Date): boolean {
  const dom = cron.daysOfMonth.has(date.getDate());
  const dow = cron.daysOfWeek.has(date.getDay());
  if (cron.domRestricted && cron.dowRestricted) return dom || dow;
  return dom && dow;
}

/** Whether the minute starting at `date` matches. */
export function cronMatches(cron: CronExpression, date: Date): boolean {
  return (
    cron.minutes.has(date.getMinutes()) &&
    cron.hours.has(date.getHours()) &&
    cron.months.has(date.getMonth() + 1) &&
    dayMatches(cron, date)
  );
}

/** Minutes searched for the next match: a little over four years covers Feb 29 on a given weekday. */
const SEARCH_DAYS = 366 * 5;

/** The first matching minute strictly after `after` (epoch ms), or null when none within five years. */
export function nextCronTime(cron: CronExpression, after: number): number | null {
  const date = new Date(after);
  date.setSeconds(0, 0);
  date.setMinutes(date.getMinutes() + 1);
  const limit = after + SEARCH_DAYS * 86_400_000;
  while (date.getTime() <= limit) {
    if (!cron.months.has(date.getMonth() + 1) || !dayMatches(cron, date)) {
      date.setDate(date.getDate() + 1);
      date.setHours(0, 0, 0, 0);
      continue;
    }
    if (!cron.hours.has(date.getHours())) {
      date.setHours(date.getHours() + 1, 0, 0, 0);
      continue;
    }
    if (cron.minutes.has(date.getMinutes())) return date.getTime();
    date.setMinutes(date.getMinutes() + 1, 0, 0);
  }
  return null;
}
