/**
 * CSV cells from the logs (request reasons, user and script names) are user-controlled: a cell a
 * spreadsheet would evaluate as a formula gets a leading quote; numbers stay numbers.
 */
import { describe, expect, it } from 'vitest';
import { toCsv } from '../../../analyzer/usage/report';

describe('toCsv', () => {
  it('quotes formula-looking cells, including ones that start like a negative number', () => {
    const rows = [
      { reason: "-2+3+cmd|' /C calc'!A0", n: -2 },
      { reason: '=HYPERLINK("http://x.example/")', n: -1.5 },
      { reason: '+1', n: 3 },
      { reason: '@SUM(A1)', n: 0 },
      { reason: '-1', n: 1e21 },
      { reason: 'plain, with comma', n: 1 },
    ];
    expect(toCsv(rows).split('\n')).toEqual([
      'reason,n',
      `'-2+3+cmd|' /C calc'!A0,-2`,
      `"'=HYPERLINK(""http://x.example/"")",-1.5`,
      "'+1,3",
      "'@SUM(A1),0",
      '-1,1e+21',
      '"plain, with comma",1',
      '',
    ]);
  });
});
