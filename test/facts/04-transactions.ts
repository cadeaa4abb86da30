/** Facts of LAB.md, "Lab 04 · Transactions" (and its stub and hints). */
import { describe } from 'vitest';

describe.skip('facts of Lab 04 · Transactions', () => {});
