/** What `npm run sync` derives is up to date: lib/stubs/ equals labs/, README's lab table equals the catalog's. */
import { expect, test } from 'vitest';
import { drift } from '../../lib/dev/derived.ts';

test('lib/stubs/ and README.md\'s lab table are what `npm run sync` writes', () => {
  expect(drift(), 'run `npm run sync`').toEqual([]);
});
