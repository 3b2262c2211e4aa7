// The projects of one cluster are one object of the management cluster, bounded at
// ACCESS_INPUT_LIMITS.namespacesPerCluster namespaces together (as SQLite is:
// test/access/cluster-namespace-bound.unit.test.ts) so that the object stays under the
// size an apiserver and etcd accept. Tested at the bound with the longest names against a
// real apiserver: the object at the bound is stored whole; one namespace more is refused
// before anything is sent.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACCESS_KINDS } from '../../src/management/access-crds.ts';
import { type KubernetesStore, openKubernetesStore } from '../../src/management/kubernetes-store.ts';
import { createLogger } from '../../src/shared/log/logger.ts';
import {
  NAMESPACES_PER_CLUSTER,
  oneMoreProject,
  projectsHolding,
  refusedPastTheBound,
} from '../access/cluster-namespace-bound.ts';
import { startClusters, type TestCluster, type TestClusters } from '../harness/index.ts';

const NAMESPACE = 'fleetgate-system';
const CLUSTER_ID = 'c-bound';

let run: TestClusters;
let management: TestCluster;
let store: KubernetesStore;

before(async () => {
  run = await startClusters({ count: 1, namePrefix: 'pnb' });
  management = run.clusters[0] as TestCluster;
  store = await openKubernetesStore(
    { kubeconfigPath: management.kubeconfigs.admin, namespace: NAMESPACE, replicaId: 'bound-test' },
    createLogger('test', 'silent'),
  );
});

after(async () => {
  store?.close();
  await run?.stop();
});

/** The cluster's projects object as the management cluster holds it, and its size in bytes as compact JSON. */
async function storedObject(): Promise<{ namespaces: number; bytes: number }> {
  const json = await management.kubectlOk('admin', [
    'get',
    ACCESS_KINDS.clusterProjects.plural,
    CLUSTER_ID,
    '-n',
    NAMESPACE,
    '-o',
    'json',
  ]);
  const object = JSON.parse(json) as { spec: { projects: { namespaces: string[] }[] } };
  return {
    namespaces: object.spec.projects.reduce((sum, p) => sum + p.namespaces.length, 0),
    bytes: Buffer.byteLength(JSON.stringify(object)),
  };
}

describe(`the projects of a cluster hold ${NAMESPACES_PER_CLUSTER} namespaces together`, () => {
  test('at the bound, with names of 63 characters, the object is stored whole', async (t) => {
    const projects = projectsHolding(CLUSTER_ID, NAMESPACES_PER_CLUSTER);
    await store.access.changeProjects(CLUSTER_ID, () => projects);
    const stored = await storedObject();
    assert.equal(stored.namespaces, NAMESPACES_PER_CLUSTER);
    // What the bound is for: the largest object stays under the 1.5 MiB etcd takes by default.
    assert.ok(stored.bytes < 1.5 * 1024 * 1024, `the object is ${stored.bytes} bytes`);
    t.diagnostic(`projects object at the bound: ${stored.bytes} bytes`);
    assert.equal(
      store.access.projects(CLUSTER_ID).reduce((sum, p) => sum + p.namespaces.length, 0),
      NAMESPACES_PER_CLUSTER,
    );
  });

  test('one namespace more is refused as BAD_USER_INPUT and the stored object is unchanged', async () => {
    await refusedPastTheBound(
      store.access.changeProjects(CLUSTER_ID, (projects) => [...projects, oneMoreProject(CLUSTER_ID)]),
    );
    assert.equal((await storedObject()).namespaces, NAMESPACES_PER_CLUSTER);
    assert.equal(store.access.project('p-onemore'), undefined);
  });
});
