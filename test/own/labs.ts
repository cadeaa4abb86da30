/**
 * The labs tested beside the shared-cluster tests (SECOND_WORKER_LABS): labs
 * 13 and 14 start clusters of their own (3 members killed, 5 partitioned);
 * lab 12 runs the student's tests in vitest processes, each test in a
 * namespace of its own.
 */
import { describe } from 'vitest';
import { loadCatalog } from '../../lib/catalog.ts';
import { SECOND_WORKER_LABS, labTests } from '../lab-tests.ts';

describe.each(loadCatalog().filter((lab) => SECOND_WORKER_LABS.includes(lab.id)))('lab $id $slug', (lab) => labTests(lab, { solution: true }));
