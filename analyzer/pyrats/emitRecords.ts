/**
 * From the sources of a follow result to the datagrams `pyrats emit` sends: paths redacted when the
 * user asked, messages built and split (recordMessage.ts) so that every datagram also fits the UDP
 * payload limit with this header, then one datagram per message (syslogRecord.ts).
 *
 * It does not run the follow loop and does not send (syslogTransport.ts does).
 */
import { buildRecords, type RecordSource, type RecordsResult } from './recordMessage';
import { redactPair, type RedactOptions } from './redactPath';
import {
  MAX_UDP_PAYLOAD,
  PYRATS_LOGGER,
  buildRecordDatagrams,
  datagramOverhead,
  systemClock,
  type RecordClock,
  type RecordHeader,
} from './syslogRecord';

export interface RecordPlan {
  header: RecordHeader;
  /** Message texts in send order. */
  messages: string[];
  /** One datagram per message. */
  datagrams: Buffer[];
  /** Edges that alone are too long for any record (reported, never sent). */
  dropped: RecordsResult['dropped'];
}

export interface PlanOptions {
  pathName: string;
  python: string;
  redact?: RedactOptions;
  clock?: RecordClock;
}

/** Redacts, builds and encodes the records of `sources`. */
export function planRecords(sources: readonly RecordSource[], options: PlanOptions): RecordPlan {
  const redact = options.redact;
  const redacted =
    redact && redact.mode !== 'none'
      ? sources.map((s) => ({
          from: redactPair(s.from[0], s.from[1], redact),
          targets: s.targets.map((t) => (t ? redactPair(t[0], t[1], redact) : null)),
        }))
      : sources.map((s) => ({ from: s.from, targets: [...s.targets] }));
  const header: RecordHeader = {
    loggerName: PYRATS_LOGGER,
    pathName: options.pathName,
    python: options.python,
  };
  const { records, dropped } = buildRecords(redacted, {
    maxBytes: MAX_UDP_PAYLOAD - datagramOverhead(header),
  });
  const messages = records.map((r) => r.message);
  return {
    header,
    messages,
    datagrams: buildRecordDatagrams(messages, header, options.clock ?? systemClock),
    dropped,
  };
}
