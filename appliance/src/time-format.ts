// Capture times (microseconds since the epoch) as the contract and the terminal show them.

/** ISO-8601 UTC with milliseconds, as events carry it. */
export const isoTime = (timeUs: number): string => new Date(Math.floor(timeUs / 1000)).toISOString();

/** "12:02:40" or, with milliseconds, "12:02:40.212" (UTC). */
export const clockTime = (timeUs: number, withMilliseconds = false): string => isoTime(timeUs).slice(11, withMilliseconds ? 23 : 19);
