/** Facts of LAB.md, "Lab 09 · Locks" (and its stub and hints). */
import { describe } from 'vitest';

describe.skip('facts of Lab 09 · Locks', () => {});
