/** Facts of LAB.md, "Lab 15 · Snapshots" (and its stub and hints). */
import { describe } from 'vitest';

describe.skip('facts of Lab 15 · Snapshots', () => {});
