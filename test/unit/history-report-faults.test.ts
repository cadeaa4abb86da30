/**
 * Faults and leaders on the report's time axis: a fault row with a line
 * through the clients, a leader band per leader (the one from before the
 * window carries into it), and events outside the window named, not dropped.
 */
import { describe, expect, test } from 'vitest';
import { checkHistory, listStore, type Operation } from '../../lib/history/index.ts';
import { renderReport } from '../../lib/history/report/page.ts';

const lostUpdate: Operation[] = [
  { id: 1, client: 'c1', key: 'k', input: { op: 'APPEND', value: 'a' }, call: 10, return: 11, outcome: 'ok' },
  { id: 2, client: 'c2', key: 'k', input: { op: 'APPEND', value: 'b' }, call: 12, return: 13, outcome: 'ok' },
  { id: 3, client: 'c3', key: 'k', input: { op: 'GET' }, output: ['a'], call: 15, return: 16, outcome: 'ok' },
];

describe('the report with faults', () => {
  test('draws the kill as a fault line and each leader as a band', () => {
    const result = checkHistory({
      model: listStore,
      operations: lostUpdate,
      events: [
        { at: 2, kind: 'leader', text: 'leader n1' },
        { at: 13.5, kind: 'kill', text: 'killed n1' },
        { at: 14, kind: 'leader', text: 'no leader' },
        { at: 14.6, kind: 'leader', text: 'leader n2' },
      ],
    });
    expect(result.verdict).toBe('not-linearizable');
    const html = renderReport(result);
    expect(html).toMatch(/<g class="event kill"><line [^>]*\/>\s*<text[^>]*>killed n1<\/text>/);
    // n1 led from before the window: its band starts at the window's left edge.
    expect(html).toMatch(/<g class="leader"><rect x="130"[^>]*\/>\s*<text[^>]*>leader n1<\/text>/);
    expect(html).toContain('<g class="leader none">');
    expect(html).toMatch(/<g class="leader"><rect [^>]*\/>\s*(<text[^>]*>[^<]*<\/text>\s*)?<title>[^<]*leader n2<\/title>/);
  });

  test('says which faults fall outside the window it shows', () => {
    const result = checkHistory({
      model: listStore,
      operations: lostUpdate,
      events: [{ at: 1, kind: 'partition', text: 'isolated n3' }, { at: 90, kind: 'heal', text: 'healed' }],
    });
    const html = renderReport(result);
    expect(html).toMatch(/Outside this window: isolated n3 \([^)]*\); healed \([^)]*\)\./);
  });
});
