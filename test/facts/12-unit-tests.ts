/** Facts of LAB.md, "Lab 12 · Unit tests" (and its stub and hints). */
import { describe } from 'vitest';

describe.skip('facts of Lab 12 · Unit tests', () => {});
