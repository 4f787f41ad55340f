/**
 * Sends syslog records to a log host and says honestly what happened:
 *
 * * `udp://HOST:PORT` — one datagram per record, as PyRats' `SysLogHandler`. UDP cannot prove
 *   delivery: the result counts what the kernel took (`sent`) and what it did not (`failed`), and is
 *   never `confirmed` (syslogUdp.ts);
 * * `tcp://HOST:PORT` — one connection, records framed by a newline (syslog-ng's `network()` source);
 *   `tcp://HOST:PORT?framing=octet-counting` — RFC 6587 octet counting (syslog-ng's `syslog()`
 *   source, rsyslog). TCP sends are `confirmed` when the log host closed the connection cleanly after
 *   reading all of it (syslogTcp.ts).
 *
 * One time budget covers name lookup, connect, send and confirmation (netBudget.ts). Sending never
 * throws. This module does not build records (syslogRecord.ts does) and prints nothing.
 */
import { NetBudget, lookupTimedOut } from './netBudget';
import {
  describeSendError,
  formatSyslogTarget,
  type Finish,
  type SendOptions,
  type SendResult,
  type SyslogTarget,
} from './syslogTarget';
import { sendTcp } from './syslogTcp';
import { sendUdp } from './syslogUdp';
import { timerDelay } from '../timerDelay';

export {
  describeSendError,
  formatSyslogTarget,
  parseSyslogTarget,
  type SendOptions,
  type SendResult,
  type StreamFraming,
  type SyslogTarget,
} from './syslogTarget';

/** Sends `datagrams` (as built by syslogRecord.ts) to `target`; resolves, never rejects. */
export function sendSyslog(
  target: SyslogTarget,
  datagrams: readonly Buffer[],
  options: SendOptions = {},
): Promise<SendResult> {
  const started = performance.now();
  const budget = new NetBudget(options.timeoutMs ?? 3000);
  const run = target.transport === 'udp' ? sendUdp : sendTcp;
  return new Promise<SendResult>((resolve) => {
    let done = false;
    let cleanup = (): void => {};
    const progress = { sent: 0 };
    const finish: Finish = ({ sent, confirmed = false, error }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      cleanup();
      resolve({
        target: formatSyslogTarget(target),
        sent,
        failed: datagrams.length - sent,
        confirmed,
        ...(error ? { error } : {}),
        elapsedMs: performance.now() - started,
      });
    };
    const timer = setTimeout(() => {
      const unconfirmed = target.transport === 'tcp' ? ' (records not confirmed)' : '';
      finish({
        sent: target.transport === 'tcp' ? 0 : progress.sent,
        error: budget.lookingUp
          ? describeSendError(lookupTimedOut(target.host, budget), target)
          : `sending to ${formatSyslogTarget(target)} timed out after ${budget.timeoutMs} ms${unconfirmed}`,
      });
    }, timerDelay(budget.timeoutMs));
    cleanup = run({ target, datagrams, options, budget, progress, finish });
  });
}
