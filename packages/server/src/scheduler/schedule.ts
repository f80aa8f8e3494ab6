// When a launch plan's schedule fires: cron expressions (five fields, `@hourly`-style macros, and a
// `CRON_TZ=Zone/Name` or `TZ=Zone/Name` prefix for an IANA time zone, UTC otherwise) or a fixed rate.
import { Cron } from "croner";
import { admin } from "@aloft/idl";
import { InvalidArgumentError } from "../errors.ts";

export interface ScheduleClock {
  /** The first fire time strictly after `after` (ms since epoch). */
  next(after: number): number;
}

const macros: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

export function cronClock(expression: string): ScheduleClock {
  let text = expression.trim();
  let timezone = "UTC";
  const tz = /^(?:CRON_)?TZ=(\S+)\s+(.*)$/.exec(text);
  if (tz) {
    timezone = tz[1]!;
    text = tz[2]!;
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    } catch {
      throw new InvalidArgumentError(`schedule: unknown time zone ${JSON.stringify(timezone)}`);
    }
  }
  text = macros[text] ?? text;
  if (text.split(/\s+/).length !== 5) throw new InvalidArgumentError(`schedule: cron expression ${JSON.stringify(expression)} must have five fields (minute hour day-of-month month day-of-week)`);
  let cron: Cron;
  try {
    // Standard cron matches a day when day-of-month OR day-of-week matches (croner's legacy mode).
    cron = new Cron(text, { timezone, paused: true, domAndDow: false });
  } catch (e) {
    throw new InvalidArgumentError(`schedule: invalid cron expression ${JSON.stringify(expression)}: ${(e as Error).message}`);
  }
  return {
    next(after) {
      const d = cron.nextRun(new Date(after));
      if (!d) throw new InvalidArgumentError(`schedule: cron expression ${JSON.stringify(expression)} never fires again`);
      return d.getTime();
    },
  };
}

const unitMs: Record<number, number> = {
  [admin.FixedRateUnit.MINUTE]: 60_000,
  [admin.FixedRateUnit.HOUR]: 3_600_000,
  [admin.FixedRateUnit.DAY]: 86_400_000,
};

/** Fixed rates fire every `value` units counted from `anchor` (the activation time). */
export function rateClock(rate: admin.FixedRate, anchor: number): ScheduleClock {
  if (rate.value === 0) throw new InvalidArgumentError("schedule.rate.value must be greater than 0");
  const period = rate.value * (unitMs[rate.unit] ?? NaN);
  if (!Number.isFinite(period)) throw new InvalidArgumentError(`schedule.rate.unit ${rate.unit} is not known`);
  return {
    next(after) {
      if (after < anchor) return anchor + period;
      return anchor + (Math.floor((after - anchor) / period) + 1) * period;
    },
  };
}

export function clockFor(schedule: admin.Schedule, anchor: number): ScheduleClock | undefined {
  const s = schedule.ScheduleExpression;
  if (s.case === "cronExpression") return cronClock(s.value);
  if (s.case === "cronSchedule") {
    if (s.value.offset) throw new InvalidArgumentError("schedule.cron_schedule.offset is not supported by Aloft");
    return cronClock(s.value.schedule);
  }
  if (s.case === "rate") return rateClock(s.value, anchor);
  return undefined;
}
