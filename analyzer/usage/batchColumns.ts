/**
 * One ingest batch's rows of the records and targets tables, column by column: numbers in typed
 * arrays written by index (no boxed number per value, and no column's element kind spoiling the
 * others'), record ids as plain numbers until they are handed to DuckDB (its BIGINT wants BigInts).
 * The nullable user and the script flag stay plain arrays. Does not write the store.
 */
import type { DuckDBValue } from '@duckdb/node-api';

/** A column as the store's appender takes it: read by index only. */
export type AppendColumn = DuckDBValue[] | Float64Array | BigInt64Array;

/** A growing column of numbers. */
export class NumberColumn {
  private data = new Float64Array(4096);
  length = 0;

  push(v: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = v;
  }

  values(): Float64Array {
    return this.data.subarray(0, this.length);
  }

  /** The values as 64-bit integers, for a BIGINT column. */
  bigints(): BigInt64Array {
    const out = new BigInt64Array(this.length);
    for (let i = 0; i < this.length; i++) out[i] = BigInt(this.data[i]);
    return out;
  }
}

/** The records and targets rows of one batch, in the tables' column order (storeSchema.ts). */
export class RecordRows {
  readonly recordId = new NumberColumn();
  readonly sourceId = new NumberColumn();
  readonly lineNo = new NumberColumn();
  readonly received = new NumberColumn();
  readonly day = new NumberColumn();
  readonly hostId = new NumberColumn();
  readonly ts = new NumberColumn();
  readonly created = new NumberColumn();
  readonly pythonId = new NumberColumn();
  readonly pathNameId = new NumberColumn();
  readonly levelNo = new NumberColumn();
  readonly levelNameId = new NumberColumn();
  readonly sourceNodeId = new NumberColumn();
  readonly userId: (number | null)[] = [];
  readonly script: boolean[] = [];
  readonly nTargets = new NumberColumn();
  /** The targets table: the record each target belongs to, and the target's node. */
  readonly targetRecordId = new NumberColumn();
  readonly targetNodeId = new NumberColumn();

  records(): AppendColumn[] {
    return [
      this.recordId.bigints(),
      this.sourceId.values(),
      this.lineNo.values(),
      this.received.values(),
      this.day.values(),
      this.hostId.values(),
      this.ts.values(),
      this.created.values(),
      this.pythonId.values(),
      this.pathNameId.values(),
      this.levelNo.values(),
      this.levelNameId.values(),
      this.sourceNodeId.values(),
      this.userId,
      this.script,
      this.nTargets.values(),
    ];
  }

  targets(): AppendColumn[] {
    return [this.targetRecordId.bigints(), this.targetNodeId.values()];
  }
}
