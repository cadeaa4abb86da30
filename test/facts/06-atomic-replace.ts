/** Facts of LAB.md, "Lab 06 · Atomic replace" (and its stub and hints). */
import { describe } from 'vitest';

describe.skip('facts of Lab 06 · Atomic replace', () => {});
