/** `pyrats export --parquet DIR --db FILE` — day-partitioned Parquet for Spark, Trino, ClickHouse. */
import { exportParquet } from '../../../analyzer/usage/export';
import { dayNumber } from '../../../analyzer/usage/queries';
import { UsageStore } from '../../../analyzer/usage/store';
import { EXIT, parseCommandArgs, UsageError, type CliCommand } from '../command';
import { MODE_OPTION_HELP, modeOption } from '../fileModeOption';

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'export the usage store as day-partitioned Parquet (Spark, Trino, ClickHouse)',
  help: `Usage: pyrats export --db FILE --parquet DIR [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--mode MODE]

Writes the usage store as Parquet files partitioned by day in Hive layout:
  DIR/records/day=YYYY-MM-DD/*.parquet       one row per PyRats record (strings joined in)
  DIR/targets/day=YYYY-MM-DD/*.parquet       one row per (record, target) with kind/package/distribution
  DIR/script_usage/day=YYYY-MM-DD/*.parquet  daily per script, user, host and package: runs
  DIR/requests/day=YYYY-MM-DD/*.parquet      package requests, one row per requested package
Existing files of the same partitions are overwritten. The files hold what the store holds (user
names, script paths), so they are made 0600 and the directories 0700 unless --mode says otherwise.
Read them with e.g.
  DuckDB:     SELECT * FROM read_parquet('DIR/records/*/*.parquet', hive_partitioning = true)
  Spark:      spark.read.parquet("DIR/records")
  Trino:      CREATE TABLE hive.pyrats.records (...) WITH (external_location = 'DIR/records', format = 'PARQUET', partitioned_by = ARRAY['day'])
  ClickHouse: SELECT * FROM file('DIR/records/*/*.parquet', Parquet)

Options:
  --db FILE           the usage store (required; opened read-only)
  --parquet DIR       where to write (made when absent)
  --since, --until    only these days (YYYY-MM-DD)
${MODE_OPTION_HELP}

Exit status: 0 ok, 2 usage error, 3 the store could not be read or DIR written.
`,
  async run(args, io) {
    const { values } = parseCommandArgs({
      args,
      strict: true,
      options: {
        db: { type: 'string' },
        parquet: { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        mode: { type: 'string' },
      },
    });
    const fileMode = modeOption(values.mode);
    if (!values.db) throw new UsageError('--db FILE is required');
    if (!values.parquet) throw new UsageError('--parquet DIR is required');
    for (const k of ['since', 'until'] as const)
      if (values[k] !== undefined)
        try {
          dayNumber(values[k]!);
        } catch (err) {
          throw new UsageError(`--${k}: ${(err as Error).message}`);
        }
    if (values.since && values.until && values.since > values.until)
      throw new UsageError('--since is after --until');
    const store = await UsageStore.open(values.db, { readOnly: true });
    try {
      const results = await exportParquet(store, values.parquet, {
        since: values.since,
        until: values.until,
        fileMode,
      });
      for (const r of results) io.stdout.write(`${r.table}: ${r.rows} rows${r.rows ? ` -> ${r.dir}` : ''}\n`);
    } finally {
      store.close();
    }
    return EXIT.ok;
  },
};
