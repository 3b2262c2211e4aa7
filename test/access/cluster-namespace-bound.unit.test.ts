// The projects of one cluster hold at most ACCESS_INPUT_LIMITS.namespacesPerCluster
// namespaces together in the SQLite store too, refused past it as the management cluster's
// store refuses (test/management/project-namespaces-bound.test.ts). The real SQLite store in
// a temporary directory.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { AccessRepository } from '../../src/access/access-repository.ts';
import { freshPolicy } from './access-fixtures.ts';
import {
  NAMESPACES_PER_CLUSTER,
  oneMoreProject,
  projectsHolding,
  refusedPastTheBound,
} from './cluster-namespace-bound.ts';

let store: AccessRepository;
let clusterId: string;

before(async () => {
  ({ store, clusterId } = await freshPolicy());
});

const held = () => store.projects(clusterId).reduce((sum, p) => sum + p.namespaces.length, 0);

describe(`the SQLite store: the projects of a cluster hold ${NAMESPACES_PER_CLUSTER} namespaces together`, () => {
  test('at the bound, every namespace is stored', async () => {
    await store.changeProjects(clusterId, () => projectsHolding(clusterId, NAMESPACES_PER_CLUSTER));
    assert.equal(held(), NAMESPACES_PER_CLUSTER);
  });

  test('one namespace more is refused as BAD_USER_INPUT and nothing changes', async () => {
    await refusedPastTheBound(
      store.changeProjects(clusterId, (projects) => [...projects, oneMoreProject(clusterId)]),
    );
    assert.equal(held(), NAMESPACES_PER_CLUSTER);
    assert.equal(store.project('p-onemore'), undefined);
  });
});
