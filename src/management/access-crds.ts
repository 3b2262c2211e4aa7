import { ACCESS_INPUT_LIMITS } from '../access/access-input.ts';
import type { KubeObject } from '../kube/objects.ts';
import { crd } from './crds.ts';

/** The kinds of the access policy in the management cluster (docs/replicas.md §2, docs/access-control.md). */
export const ACCESS_KINDS = {
  roleTemplate: { kind: 'FleetgateRoleTemplate', plural: 'fleetgateroletemplates', short: 'fgrt' },
  globalRole: { kind: 'FleetgateGlobalRole', plural: 'fleetgateglobalroles', short: 'fggr' },
  globalRoleGrant: { kind: 'FleetgateGlobalRoleGrant', plural: 'fleetgateglobalrolegrants', short: 'fggrg' },
  clusterProjects: { kind: 'FleetgateClusterProjects', plural: 'fleetgateclusterprojects', short: 'fgp' },
  membership: { kind: 'FleetgateMembership', plural: 'fleetgatememberships', short: 'fgm' },
} as const;

const id = { type: 'string', maxLength: 63 } as const;
const time = { type: 'string', maxLength: 64 } as const;
const text = { type: 'string', maxLength: 1024 } as const;
const words = (maxItems: number, maxLength = 253) =>
  ({ type: 'array', maxItems, items: { type: 'string', maxLength } }) as const;
const subject = {
  type: 'object',
  required: ['kind', 'name'],
  properties: { kind: { type: 'string', enum: ['User', 'Group'] }, name: { type: 'string', maxLength: 256 } },
} as const;
const rule = {
  type: 'object',
  required: ['verbs'],
  properties: {
    apiGroups: words(64),
    resources: words(64),
    resourceNames: words(64),
    nonResourceURLs: words(64),
    verbs: words(32, 64),
  },
} as const;

/** The CRDs of the access policy: installed beside the others, in the same group. */
export const ACCESS_CRDS: readonly KubeObject[] = [
  crd(
    ACCESS_KINDS.roleTemplate,
    {
      spec: {
        type: 'object',
        required: ['templateId', 'context', 'rules', 'includes'],
        properties: {
          templateId: id,
          context: { type: 'string', enum: ['cluster', 'project'] },
          description: text,
          rules: { type: 'array', maxItems: 256, items: rule },
          includes: words(64, 63),
          updatedAt: time,
        },
      },
    },
    [
      { name: 'Context', type: 'string', jsonPath: '.spec.context' },
      { name: 'Description', type: 'string', jsonPath: '.spec.description', priority: 1 },
    ],
  ),
  crd(
    ACCESS_KINDS.globalRole,
    {
      spec: {
        type: 'object',
        required: ['globalRoleId', 'permissions'],
        properties: {
          globalRoleId: id,
          description: text,
          permissions: words(ACCESS_INPUT_LIMITS.permissions, 64),
          createdAt: time,
        },
      },
    },
    [{ name: 'Description', type: 'string', jsonPath: '.spec.description' }],
  ),
  crd(
    ACCESS_KINDS.globalRoleGrant,
    {
      spec: {
        type: 'object',
        required: ['grantId', 'globalRoleId', 'subject', 'createdAt'],
        properties: { grantId: id, globalRoleId: id, subject, createdAt: time },
      },
    },
    [
      { name: 'Role', type: 'string', jsonPath: '.spec.globalRoleId' },
      { name: 'Subject', type: 'string', jsonPath: '.spec.subject.name' },
    ],
  ),
  crd(
    ACCESS_KINDS.clusterProjects,
    {
      spec: {
        type: 'object',
        required: ['clusterId', 'projects'],
        properties: {
          clusterId: id,
          projects: {
            type: 'array',
            maxItems: ACCESS_INPUT_LIMITS.projectsPerCluster,
            items: {
              type: 'object',
              required: ['projectId', 'name', 'namespaces', 'createdAt'],
              properties: {
                projectId: id,
                name: id,
                namespaces: words(ACCESS_INPUT_LIMITS.namespacesPerProject, 63),
                createdAt: time,
              },
            },
          },
        },
      },
    },
    [{ name: 'Cluster', type: 'string', jsonPath: '.spec.clusterId' }],
  ),
  crd(
    ACCESS_KINDS.membership,
    {
      spec: {
        type: 'object',
        required: ['membershipId', 'clusterId', 'subject', 'templateId', 'createdAt'],
        properties: {
          membershipId: id,
          clusterId: id,
          projectId: { type: 'string', maxLength: 63, nullable: true },
          subject,
          templateId: id,
          createdAt: time,
        },
      },
      status: {
        type: 'object',
        properties: {
          state: { type: 'string', enum: ['Pending', 'Applied', 'Error'] },
          message: text,
          at: time,
        },
      },
    },
    [
      { name: 'Cluster', type: 'string', jsonPath: '.spec.clusterId' },
      { name: 'Project', type: 'string', jsonPath: '.spec.projectId' },
      { name: 'Subject', type: 'string', jsonPath: '.spec.subject.name' },
      { name: 'Template', type: 'string', jsonPath: '.spec.templateId' },
      { name: 'State', type: 'string', jsonPath: '.status.state' },
    ],
  ),
];
