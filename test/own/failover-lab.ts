/**
 * Lab 13 (failover) starts a 3-member cluster of its own and kills its
 * members: its stub, solution and wrong implementations are tested beside
 * the shared-cluster tests.
 */
import { describe } from 'vitest';
import { loadCatalog } from '../../lib/catalog.ts';
import { OWN_CLUSTER_LABS, labTests } from '../lab-tests.ts';

describe.each(loadCatalog().filter((lab) => OWN_CLUSTER_LABS.includes(lab.id)))('lab $id $slug', (lab) => labTests(lab, { solution: true }));
