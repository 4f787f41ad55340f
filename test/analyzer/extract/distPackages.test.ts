/**
 * Differential test over a large real corpus: every `.py` file of Debian's dist-packages tree
 * (/usr/lib/python3/dist-packages), our imports — static and literal dynamic ones — against CPython's
 * `ast` (test/support/astImports.py --dynamic, run by /usr/bin/python3, the interpreter those files
 * are for). Files ast rejects are left out and counted. Every difference is listed. Each file twice:
 * parsed whole, and as a file is usually read (Debian byte-compiles its packages: where a matching
 * `__pycache__` bytecode file proves the source compiles, only the import skeleton is parsed) — the
 * fast path must give exactly what parsing gives. The corpus is compared in four shards (every
 * fourth file), each its own test, so a slow machine shows progress and gets a budget per shard.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ImportExtractor } from '../../../analyzer/extract/extractImports';
import { asAstDynamic, asAstImports, listPythonFiles, runAstReference } from '../../support/astReference';

const corpus = '/usr/lib/python3/dist-packages';
const skip = existsSync(corpus) && existsSync('/usr/bin/python3') ? null : `no ${corpus}`;
const SHARDS = 4;

describe.skipIf(skip !== null)(
  `imports over ${corpus} compared with ast${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    const all = skip === null ? listPythonFiles(corpus) : [];
    it('holds a real corpus', () => {
      expect(all.length).toBeGreaterThan(1000);
    });
    for (let shard = 0; shard < SHARDS; shard++)
      it(
        `finds exactly what ast finds, dynamic imports included (shard ${shard + 1} of ${SHARDS})`,
        { timeout: 600_000 },
        async () => {
          const files = all.filter((_, i) => i % SHARDS === shard);
          const reference = runAstReference('/usr/bin/python3', files, { dynamic: true });
          const extractor = await ImportExtractor.create({ maxBytes: 64 * 1024 * 1024, trustPycache: false });
          const fast = await ImportExtractor.create({ maxBytes: 64 * 1024 * 1024, trustPycache: true });
          const differences: string[] = [];
          let accepted = 0;
          let viaPycache = 0;
          let dynamicCount = 0;
          try {
            const ast = await reference;
            for (const f of files) {
              const ref = ast.get(f);
              expect(ref, f).toBeDefined();
              if (!ref!.ok) continue;
              accepted++;
              dynamicCount += ref!.dynamic!.length;
              const mine = extractor.extractBytes(await readFile(f));
              const a = JSON.stringify({
                imports: asAstImports(mine.sites),
                dynamic: asAstDynamic(mine.sites),
              });
              const b = JSON.stringify({ imports: ref!.imports, dynamic: ref!.dynamic });
              if (a !== b) differences.push(`${f}\n  ours: ${a.slice(0, 400)}\n  ast:  ${b.slice(0, 400)}`);
              const skeleton = fast.extractFileSync(f);
              if (skeleton.syntaxFrom === 'pycache') viaPycache++;
              const c = JSON.stringify({
                imports: asAstImports(skeleton.sites),
                dynamic: asAstDynamic(skeleton.sites),
              });
              if (c !== b)
                differences.push(
                  `${f} (pycache path)\n  ours: ${c.slice(0, 400)}\n  ast:  ${b.slice(0, 400)}`,
                );
            }
          } finally {
            extractor.dispose();
            fast.dispose();
          }
          console.log(
            `${corpus} shard ${shard + 1}/${SHARDS}: ${files.length} files, ${accepted} accepted by ast, ${dynamicCount} literal dynamic imports, ` +
              `${viaPycache} read through __pycache__; ` +
              `${differences.length} files differ${differences.length ? `:\n${differences.join('\n')}` : ''}`,
          );
          expect(differences).toEqual([]);
        },
      );
  },
);
