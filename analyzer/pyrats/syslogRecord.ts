/**
 * The bytes of one PyRats syslog record, exactly as PyRats' `logging` set-up sends them (SPEC section 5):
 *
 *   <14>Python: ts=2026-11-25 06:18:58,058;loggerName=PyRats;pathName=…;python=…;
 *   logRecordCreationTime=1795587538.058567;levelNo=20;levelName=INFO;message=…\0
 *
 * `<14>` is facility user (1) × 8 + severity info (6); `ts` is local time with comma milliseconds
 * (truncated, as Python's `LogRecord.msecs`); the creation time has six decimals (Python's `%f`); the
 * line ends with a NUL and is encoded as UTF-8. Also the newline framing used over TCP.
 *
 * This module only formats: it does not compute message texts (graph/ and recordMessage.ts do), does
 * not split them and does not send anything (syslogTransport.ts does).
 */

/** The fixed fields of PyRats' records (logger "PyRats", level INFO). */
export const PYRATS_LOGGER = 'PyRats';
export const LEVEL_NO = 20;
export const LEVEL_NAME = 'INFO';
/** `<facility*8+severity>` for LOG_USER / info. */
export const SYSLOG_PRIORITY = '<14>';
/** Largest UDP payload over IPv4 (65535 − 8-byte UDP header − 20-byte IP header). */
export const MAX_UDP_PAYLOAD = 65507;

export interface RecordHeader {
  /** `loggerName=`: `PyRats` for dependency records, `PyRatsRequest` for package requests. */
  loggerName: string;
  /** `pathName=`: PyRats writes the path of its own `sitecustomize.py` (the caller of `logger.info`). */
  pathName: string;
  /** `python=`: the interpreter that runs (or would run) the script, `sys.executable`. */
  python: string;
}

/** Seconds since the epoch as a float with sub-millisecond precision, like Python's `time.time()`. */
export type RecordClock = () => number;

export const systemClock: RecordClock = () => (performance.timeOrigin + performance.now()) / 1000;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * Python's `asctime` for a creation time: `time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(created))`
 * followed by `,%03d` of the truncated milliseconds. Local time follows the process's `TZ`.
 */
export function formatAsctime(created: number): string {
  const whole = Math.floor(created);
  const ms = Math.trunc((created - whole) * 1000);
  const d = new Date(whole * 1000);
  return (
    `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1, 2)}-${pad(d.getDate(), 2)} ` +
    `${pad(d.getHours(), 2)}:${pad(d.getMinutes(), 2)}:${pad(d.getSeconds(), 2)},${pad(ms, 3)}`
  );
}

/** Python's `'%f' % created`: six decimals, correctly rounded. */
export function formatCreated(created: number): string {
  return created.toFixed(6);
}

/** The formatted log line (without `<14>` and the NUL): what syslog-ng writes after `Python: `… */
export function formatRecordLine(header: RecordHeader, message: string, created: number): string {
  return (
    `Python: ts=${formatAsctime(created)};loggerName=${header.loggerName};pathName=${header.pathName};` +
    `python=${header.python};logRecordCreationTime=${formatCreated(created)};levelNo=${LEVEL_NO};` +
    `levelName=${LEVEL_NAME};message=${message}`
  );
}

/** The datagram bytes PyRats' `SysLogHandler` sends for a formatted line: `<14>` + line + NUL, UTF-8. */
export function encodeDatagram(line: string): Buffer {
  return Buffer.from(`${SYSLOG_PRIORITY}${line}\0`, 'utf8');
}

/**
 * Bytes the datagram takes besides the message's own UTF-8 bytes for this header (the time fields have
 * a fixed width for every date between 2001 and 2286).
 */
export function datagramOverhead(header: RecordHeader): number {
  return encodeDatagram(formatRecordLine(header, '', 1_000_000_000)).length;
}

/**
 * One datagram per message, in order, each with its own creation time read from `clock` (PyRats calls
 * `logger.info` once per record, so consecutive records carry increasing times).
 */
export function buildRecordDatagrams(
  messages: readonly string[],
  header: RecordHeader,
  clock: RecordClock = systemClock,
): Buffer[] {
  return messages.map((m) => encodeDatagram(formatRecordLine(header, m, clock())));
}

/**
 * The stream framing for TCP: the datagram followed by a newline, which is how syslog-ng's default
 * `network()` TCP source splits messages (it strips the NUL as it does for UDP). A newline inside the
 * record (only possible through a path containing one) would cut the line in two, so LF and CR bytes
 * inside it are written as the two characters `\n` / `\r`.
 */
export function frameForStream(datagram: Buffer): Buffer {
  if (datagram.includes(0x0a) || datagram.includes(0x0d)) {
    const text = datagram.toString('utf8').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
    return Buffer.from(`${text}\n`, 'utf8');
  }
  return Buffer.concat([datagram, Buffer.from('\n')]);
}
