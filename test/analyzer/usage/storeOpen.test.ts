/**
 * What UsageStore.open accepts. A store of another schema version and another program's DuckDB
 * database are refused with one line — and left untouched (the schema used to be created or
 * altered in them before the check, and read-only opens checked only for a `records` table).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageStore } from '../../../analyzer/usage/store';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-store-open-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs SQL on a DuckDB file directly, returning the rows of the last statement. */
async function sql(file: string, ...statements: string[]): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(file);
  const c = await instance.connect();
  let rows: Record<string, unknown>[] = [];
  try {
    for (const s of statements) rows = (await c.runAndReadAll(s)).getRowObjectsJS();
  } finally {
    c.closeSync();
    instance.closeSync();
  }
  return rows;
}

const tableNames = async (file: string) =>
  (await sql(file, `SELECT table_name AS t FROM information_schema.tables ORDER BY t`)).map((r) => r.t);

describe('UsageStore.open', () => {
  it('refuses a store of a newer schema version without changing it, read-only or not', async () => {
    const db = path.join(dir, 'usage.duckdb');
    (await UsageStore.open(db)).close();
    await sql(
      db,
      `UPDATE meta SET value = '2' WHERE key = 'schema_version'`,
      `ALTER TABLE sources DROP head_hex`,
    );
    const message = `${db}: usage store of schema version 2; this pyrats reads and writes version 1 (use the newer pyrats that wrote it)`;
    await expect(UsageStore.open(db)).rejects.toThrow(message);
    await expect(UsageStore.open(db, { readOnly: true })).rejects.toThrow(message);
    const columns = await sql(
      db,
      `SELECT column_name AS c FROM information_schema.columns WHERE table_name = 'sources'`,
    );
    expect(columns.map((r) => r.c)).not.toContain('head_hex');
  });

  it("refuses another program's DuckDB database without adding tables to it", async () => {
    const db = path.join(dir, 'other.duckdb');
    await sql(db, `CREATE TABLE records(x INTEGER)`, `CREATE TABLE inventory(item VARCHAR)`);
    const message = `${db}: not a pyrats usage store (a DuckDB database with tables inventory, records but no pyrats schema version)`;
    await expect(UsageStore.open(db)).rejects.toThrow(message);
    await expect(UsageStore.open(db, { readOnly: true })).rejects.toThrow(message);
    expect(await tableNames(db)).toEqual(['inventory', 'records']);
  });

  it('a store that does not exist is named, read-only; a writer creates it', async () => {
    const db = path.join(dir, 'nosuch.duckdb');
    await expect(UsageStore.open(db, { readOnly: true })).rejects.toThrow(
      `${db}: no such usage store (pyrats ingest makes it)`,
    );
    (await UsageStore.open(db)).close();
    (await UsageStore.open(db, { readOnly: true })).close();
  });

  it('a directory or a file that is not DuckDB is named with what it is', async () => {
    await expect(UsageStore.open(dir)).rejects.toThrow(`${dir}: is a directory, not a usage store`);
    await expect(UsageStore.open(dir, { readOnly: true })).rejects.toThrow(
      `${dir}: is a directory, not a usage store`,
    );
    const log = path.join(dir, '20261125');
    writeFileSync(log, 'Nov 25 06:28:41 localhost Python: ts=…\n'); // a log file given as --db by mistake
    for (const readOnly of [false, true])
      await expect(UsageStore.open(log, { readOnly })).rejects.toThrow(
        `${log}: not a DuckDB file (a pyrats usage store is one)`,
      );
    expect(readFileSync(log, 'utf8')).toBe('Nov 25 06:28:41 localhost Python: ts=…\n');
  });

  it('reads an empty DuckDB file as no store, and makes a new store in it when writing', async () => {
    const db = path.join(dir, 'empty.duckdb');
    await sql(db, `SELECT 1`);
    await expect(UsageStore.open(db, { readOnly: true })).rejects.toThrow(
      `${db}: not a pyrats usage store (an empty DuckDB database)`,
    );
    (await UsageStore.open(db)).close();
    const store = await UsageStore.open(db, { readOnly: true });
    expect(await store.rows(`SELECT value FROM meta WHERE key = 'schema_version'`)).toEqual([{ value: '1' }]);
    store.close();
  });
});
