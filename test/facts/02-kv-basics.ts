/** Facts of LAB.md, "Lab 02 · Key/value basics" (and its stub and hints). */
import { describe } from 'vitest';

describe.skip('facts of Lab 02 · Key/value basics', () => {});
