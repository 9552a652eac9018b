// `bourse start` shows each child's pino JSON lines as one readable line: time, level, message, then
// the fields that say what happened. Anything that is not a pino line passes through unchanged, so
// nothing a child prints is lost.

const LEVELS: Readonly<Record<string, string>> = {
  '10': 'TRACE',
  '20': 'DEBUG',
  '30': 'INFO ',
  '40': 'WARN ',
  '50': 'ERROR',
  '60': 'FATAL',
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO ',
  warn: 'WARN ',
  error: 'ERROR',
  fatal: 'FATAL',
};

// Every line carries these and the prefix already names the service; repeating them is noise.
const OMITTED = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'service', 'version', 'v']);

function timeOf(value: unknown): string | undefined {
  const date = typeof value === 'number' || typeof value === 'string' ? new Date(value) : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) return undefined;
  return date.toISOString().slice(11, 23);
}

function shown(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value) ?? String(value);
}

/** A pino JSON line as `HH:MM:SS.mmm LEVEL message key=value …`; any other line as it is. */
export function readableLogLine(line: string): string {
  if (!line.startsWith('{"level":')) return line;
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch (err) {
    // Not a whole JSON object after all (a cut line): show it raw rather than lose it.
    if (err instanceof SyntaxError) return line;
    throw err;
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return line;
  const fields = record as Record<string, unknown>;
  const level = LEVELS[String(fields['level'])];
  const time = timeOf(fields['time']);
  if (level === undefined || time === undefined) return line;
  const rest = Object.entries(fields)
    .filter(([key]) => !OMITTED.has(key))
    .map(([key, value]) => `${key}=${shown(value)}`);
  const message = typeof fields['msg'] === 'string' ? fields['msg'] : '';
  return [time, level, message, ...rest].filter((part) => part !== '').join(' ');
}
