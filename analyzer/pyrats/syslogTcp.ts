/**
 * Records over one TCP connection, confirmed as far as syslog allows. TCP syslog has no
 * acknowledgement, so the strongest signal is the connection's end: connect, write every record,
 * watch the connection for a moment, half-close, and count the records delivered only when the log
 * host then closes its side without a reset (it does so after reading everything, up to our EOF).
 *
 * A log host that rejects the connection (syslog-ng beyond `max-connections`) accepts and closes it
 * at once: that shows as a close *before* our half-close, or as a reset. Either way nothing is
 * confirmed and the caller keeps the records.
 *
 * Framing: a newline after each record (syslog-ng `network()`), or RFC 6587 octet counting
 * (`LEN SP MSG`, syslog-ng `syslog()`). It prints nothing and never throws.
 */
import net from 'node:net';
import { budgetLookup } from './netBudget';
import { frameForStream } from './syslogRecord';
import { describeSendError, formatSyslogTarget, type TransportRun } from './syslogTarget';
import { timerDelay } from '../timerDelay';

/** RFC 6587 section 3.4.1: `MSG-LEN SP SYSLOG-MSG`, the length in octets. */
export function frameOctetCounted(datagram: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${datagram.length} `, 'ascii'), datagram]);
}

/** Sends `run.datagrams` on one connection; returns the cleanup for `sendSyslog`. */
export function sendTcp(run: TransportRun): () => void {
  const { target, datagrams, options, budget, finish } = run;
  const where = formatSyslogTarget(target);
  const socket = net.connect({
    host: target.host,
    port: target.port,
    lookup: budgetLookup(budget, options),
  });
  socket.setNoDelay(true);
  let halfClosed = false;
  let peerClosedEarly = false;
  let windowTimer: NodeJS.Timeout | undefined;
  const cleanup = (): void => {
    if (windowTimer) clearTimeout(windowTimer);
    socket.destroy();
  };
  socket.on('error', (err) => finish({ sent: 0, error: describeSendError(err, target) }));
  // Data from a log host is not expected; read it so its close is seen.
  socket.on('data', () => {});
  socket.on('end', () => {
    if (!halfClosed) peerClosedEarly = true;
  });
  socket.on('close', (hadError) => {
    if (hadError) return; // 'error' has reported it
    if (peerClosedEarly) {
      return finish({
        sent: 0,
        error:
          `log host ${where} closed the connection before the records were confirmed ` +
          '(too many connections? syslog-ng max-connections)',
      });
    }
    finish({ sent: halfClosed ? datagrams.length : 0, confirmed: halfClosed });
  });
  socket.on('connect', () => {
    const frame = target.framing === 'octet-counting' ? frameOctetCounted : frameForStream;
    socket.write(Buffer.concat(datagrams.map(frame)), (err) => {
      if (err) return; // 'error' follows
      // A rejecting host closes right after accepting: give that close time to show before our EOF.
      const window = Math.min(options.rejectWindowMs ?? 200, budget.remaining() / 4);
      windowTimer = setTimeout(() => {
        if (peerClosedEarly || socket.destroyed) return;
        halfClosed = true;
        socket.end();
      }, timerDelay(window));
    });
  });
  return cleanup;
}
