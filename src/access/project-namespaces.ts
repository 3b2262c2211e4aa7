import type { Principal } from '../auth/principal.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import { AGENT_IDENTITY } from '../kube/identity.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import { parseNamespaces } from './access-input.ts';
import { PROJECT_LABEL, type Project } from './access-model.ts';
import type { AccessService } from './access-service.ts';
import { subjectMatches } from './global-roles.ts';
import { includesTemplate, NAMESPACE_CREATOR_TEMPLATES } from './role-templates.ts';

/** What the name of a namespace a project's member creates starts with: the project's name and a dash. */
export function projectNamespacePrefix(project: Project): string {
  return `${project.name}-`;
}

/**
 * A project member creates a namespace inside their project (docs/access-control.md,
 * "Projects"): RBAC cannot tie the right to create a namespace to a label, so nobody gets it
 * downstream; the gateway checks the membership and creates the namespace as the agent,
 * labelled, and only if it does not exist (an existing namespace is not claimed this way),
 * under the project's name (projectNamespacePrefix) unless the caller may claim any namespace.
 */
export async function createProjectNamespace(
  caller: Principal,
  projectId: string,
  namespace: string,
  parts: { readonly service: AccessService; readonly kube: KubeClient },
): Promise<Project> {
  const { service, kube } = parts;
  return service.audit.auditedBy(
    caller,
    'createProjectNamespace',
    { target: `${projectId.slice(0, 64)}/${namespace.slice(0, 64)}` },
    () => create(caller, projectId, namespace, service, kube),
  );
}

async function create(
  caller: Principal,
  projectId: string,
  namespace: string,
  service: AccessService,
  kube: KubeClient,
): Promise<Project> {
  const project = service.project(projectId);
  parseNamespaces([namespace]);
  const templates = service.templates();
  const member = service
    .memberships({ clusterId: project.clusterId, projectId })
    .some(
      (m) =>
        subjectMatches(m.subject, caller) &&
        NAMESPACE_CREATOR_TEMPLATES.some((creator) => includesTemplate(m.templateId, creator, templates)),
    );
  if (!member && !service.ownsProject(caller, project) && !service.may(caller, 'projects:manage'))
    throw new GatewayError(
      'FORBIDDEN',
      `creating namespaces in project ${project.name} needs a project-member or project-owner membership there`,
    );
  // Taking a free name is claiming it ahead of time: a namespace an administrator installs into
  // later (monitoring, cert-manager...) would come with the member's rights in it. Claiming
  // any namespace belongs to projects:manage and the cluster's owner; everyone else names
  // theirs after the project.
  const anyName = service.may(caller, 'projects:manage') || service.ownsCluster(caller, project.clusterId);
  if (!anyName && !namespace.startsWith(projectNamespacePrefix(project)))
    throw new GatewayError(
      'FORBIDDEN',
      `a new namespace of project ${project.name} is named ${projectNamespacePrefix(project)}<name>; only projects:manage or the cluster's owner may choose any free name`,
    );
  // A longer project name can start with this one's and a dash (`shop` and `shop-web`): the
  // names under `shop-web-` are that project's to take, not `shop`'s members'.
  const nested = anyName
    ? undefined
    : service.store
        .projects(project.clusterId)
        .find(
          (other) =>
            other.projectId !== project.projectId &&
            other.name.length > project.name.length &&
            namespace.startsWith(projectNamespacePrefix(other)),
        );
  if (nested)
    throw new GatewayError(
      'FORBIDDEN',
      `namespace ${namespace} is named after project ${nested.name} (${projectNamespacePrefix(nested)}<name>), not ${project.name}`,
    );
  const holder = service.store.projectOfNamespace(project.clusterId, namespace);
  if (holder !== undefined)
    throw new GatewayError('CONFLICT', `namespace ${namespace} belongs to project ${holder} already`);
  await kube.create({ clusterId: project.clusterId, as: AGENT_IDENTITY }, '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: namespace, labels: { [PROJECT_LABEL]: projectId } },
  });
  return service.claimCreatedNamespace(project, namespace);
}
