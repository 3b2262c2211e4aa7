// The projects of one cluster are one object of the management cluster, bounded at
// MAX_PROJECT_NAMESPACES_PER_CLUSTER namespaces together so that the object stays under the
// size an apiserver and etcd accept. Tested at the bound with the longest names against a
// real apiserver: the object at the bound is stored whole; one namespace more is refused
// before anything is sent.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACCESS_INPUT_LIMITS } from '../../src/access/access-input.ts';
import type { Project } from '../../src/access/access-model.ts';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import { ACCESS_KINDS } from '../../src/management/access-crds.ts';
import { MAX_PROJECT_NAMESPACES_PER_CLUSTER } from '../../src/management/kube-access-store.ts';
import { type KubernetesStore, openKubernetesStore } from '../../src/management/kubernetes-store.ts';
import { createLogger } from '../../src/shared/log/logger.ts';
import { startClusters, type TestCluster, type TestClusters } from '../harness/index.ts';

const NAMESPACE = 'fleetgate-system';
const CLUSTER_ID = 'c-bound';
const AT = '2026-01-01T00:00:00.000Z';

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

/** `total` namespaces of the longest name a namespace may have (63), in full projects. */
function projectsHolding(total: number): Project[] {
  const perProject = ACCESS_INPUT_LIMITS.namespacesPerProject;
  const projects: Project[] = [];
  for (let first = 0; first < total; first += perProject) {
    const index = projects.length;
    const count = Math.min(perProject, total - first);
    projects.push({
      projectId: `p-bound${index}`,
      clusterId: CLUSTER_ID,
      name: `bound-${index}`,
      namespaces: Array.from({ length: count }, (_, i) => `p${index}-ns${i}-`.padEnd(63, 'n')),
      createdAt: AT,
    });
  }
  return projects;
}

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

describe(`the projects of a cluster hold ${MAX_PROJECT_NAMESPACES_PER_CLUSTER} namespaces together`, () => {
  test('at the bound, with names of 63 characters, the object is stored whole', async (t) => {
    const projects = projectsHolding(MAX_PROJECT_NAMESPACES_PER_CLUSTER);
    await store.access.changeProjects(CLUSTER_ID, () => projects);
    const stored = await storedObject();
    assert.equal(stored.namespaces, MAX_PROJECT_NAMESPACES_PER_CLUSTER);
    // What the bound is for: the largest object stays under the 1.5 MiB etcd takes by default.
    assert.ok(stored.bytes < 1.5 * 1024 * 1024, `the object is ${stored.bytes} bytes`);
    t.diagnostic(`projects object at the bound: ${stored.bytes} bytes`);
    assert.equal(
      store.access.projects(CLUSTER_ID).reduce((sum, p) => sum + p.namespaces.length, 0),
      MAX_PROJECT_NAMESPACES_PER_CLUSTER,
    );
  });

  test('one namespace more is refused as BAD_USER_INPUT and the stored object is unchanged', async () => {
    await assert.rejects(
      store.access.changeProjects(CLUSTER_ID, (projects) => [
        ...projects,
        {
          projectId: 'p-onemore',
          clusterId: CLUSTER_ID,
          name: 'one-more',
          namespaces: ['past-it'],
          createdAt: AT,
        },
      ]),
      (error) => {
        assert.ok(error instanceof GatewayError, String(error));
        assert.equal(error.code, 'BAD_USER_INPUT');
        assert.match(error.message, new RegExp(`at most ${MAX_PROJECT_NAMESPACES_PER_CLUSTER} namespaces`));
        return true;
      },
    );
    assert.equal((await storedObject()).namespaces, MAX_PROJECT_NAMESPACES_PER_CLUSTER);
    assert.equal(store.access.project('p-onemore'), undefined);
  });
});
