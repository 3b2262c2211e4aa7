// The bound on the namespaces all the projects of one cluster hold together, the same in
// both stores: the projects that reach it, and the one refusal past it.
import { ACCESS_INPUT_LIMITS } from '../../src/access/access-input.ts';
import type { Project } from '../../src/access/access-model.ts';
import { refusedWith } from './access-fixtures.ts';

const AT = '2026-01-01T00:00:00.000Z';

/** The bound under test. */
export const NAMESPACES_PER_CLUSTER = ACCESS_INPUT_LIMITS.namespacesPerCluster;

/** `total` namespaces of the longest name a namespace may have (63), in full projects of the cluster. */
export function projectsHolding(clusterId: string, total: number): Project[] {
  const perProject = ACCESS_INPUT_LIMITS.namespacesPerProject;
  const projects: Project[] = [];
  for (let first = 0; first < total; first += perProject) {
    const index = projects.length;
    const count = Math.min(perProject, total - first);
    projects.push({
      projectId: `p-bound${index}`,
      clusterId,
      name: `bound-${index}`,
      namespaces: Array.from({ length: count }, (_, i) => `p${index}-ns${i}-`.padEnd(63, 'n')),
      createdAt: AT,
    });
  }
  return projects;
}

/** A project of one namespace more, named `p-onemore`. */
export function oneMoreProject(clusterId: string): Project {
  return { projectId: 'p-onemore', clusterId, name: 'one-more', namespaces: ['past-it'], createdAt: AT };
}

/** Asserts the refusal past the bound, word for word what either store says. */
export function refusedPastTheBound(write: Promise<unknown>): Promise<void> {
  return refusedWith(
    write,
    'BAD_USER_INPUT',
    `the projects of a cluster hold at most ${NAMESPACES_PER_CLUSTER} namespaces together`,
  );
}
