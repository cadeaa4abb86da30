/**
 * The labs tested beside the shared-cluster tests (SECOND_WORKER_LABS): lab
 * 13 starts and kills a 3-member cluster of its own; lab 12 runs the
 * student's tests in vitest processes, each test in a namespace of its own.
 */
import { describe } from 'vitest';
import { loadCatalog } from '../../lib/catalog.ts';
import { SECOND_WORKER_LABS, labTests } from '../lab-tests.ts';

describe.each(loadCatalog().filter((lab) => SECOND_WORKER_LABS.includes(lab.id)))('lab $id $slug', (lab) => labTests(lab, { solution: true }));
