import { explainAccess } from '../src/access/access-explain.ts';
import type { AccessService } from '../src/access/access-service.ts';
import { createProjectNamespace } from '../src/access/project-namespaces.ts';
import type { Resolvers, SubjectKind, TemplateContext } from '../src/generated/graphql.ts';

const kindOf = (kind: SubjectKind) => (kind === 'USER' ? 'User' : 'Group');
const contextOf = (context: TemplateContext) => (context === 'CLUSTER' ? 'cluster' : 'project');
const orUndefined = <T>(value: T | null | undefined): T | undefined => value ?? undefined;

/** Global roles, role templates, projects, memberships and the explain query (docs/access-control.md). */
export function accessResolvers(access: AccessService): Resolvers {
  return {
    Query: {
      roleTemplates: () => [...access.templates().values()],
      globalRoles: () =>
        [...access.globalRoles().values()].map((role) => ({ ...role, permissions: [...role.permissions] })),
      globalRoleGrants: (_parent, _args, context) => access.visibleGrants(context.principal),
      myPermissions: (_parent, _args, context) => [...access.permissionsOf(context.principal)],
      projects: (_parent, args, context) =>
        access
          .visibleProjects(context.principal, orUndefined(args.clusterId))
          .map((p) => ({ ...p, namespaces: [...p.namespaces] })),
      memberships: (_parent, args, context) =>
        access.visibleMemberships(context.principal, {
          clusterId: orUndefined(args.clusterId),
          projectId: orUndefined(args.projectId),
        }),
      explainAccess: async (_parent, { input }, context) => {
        const explanation = await explainAccess(
          context.principal,
          {
            clusterId: input.clusterId,
            subjectName: input.subjectName,
            verb: input.verb,
            group: input.group ?? '',
            resource: input.resource,
            subresource: orUndefined(input.subresource),
            namespace: orUndefined(input.namespace),
            name: orUndefined(input.name),
          },
          { service: access, kube: context.kube },
        );
        return { ...explanation, grantedBy: [...explanation.grantedBy] };
      },
    },
    Mutation: {
      createRoleTemplate: (_parent, { input }, context) =>
        access.definitions.createTemplate(context.principal, {
          ...input,
          context: contextOf(input.context),
          description: orUndefined(input.description),
          includes: orUndefined(input.includes),
        }),
      updateRoleTemplate: (_parent, { input }, context) =>
        access.definitions.updateTemplate(context.principal, {
          ...input,
          context: contextOf(input.context),
          description: orUndefined(input.description),
          includes: orUndefined(input.includes),
        }),
      deleteRoleTemplate: (_parent, args, context) =>
        access.definitions.deleteTemplate(context.principal, args.templateId),
      createGlobalRole: async (_parent, { input }, context) => {
        const role = await access.definitions.createGlobalRole(context.principal, {
          ...input,
          description: orUndefined(input.description),
        });
        return { ...role, permissions: [...role.permissions] };
      },
      deleteGlobalRole: (_parent, args, context) =>
        access.definitions.deleteGlobalRole(context.principal, args.globalRoleId),
      grantGlobalRole: (_parent, { input }, context) =>
        access.definitions.grantGlobalRole(context.principal, {
          ...input,
          subjectKind: kindOf(input.subjectKind),
        }),
      revokeGlobalRole: (_parent, args, context) =>
        access.definitions.revokeGlobalRole(context.principal, args.grantId),
      createProject: async (_parent, { input }, context) => {
        const project = await access.createProject(context.principal, {
          ...input,
          namespaces: orUndefined(input.namespaces),
        });
        return { ...project, namespaces: [...project.namespaces] };
      },
      addProjectNamespaces: async (_parent, args, context) => {
        const project = await access.addProjectNamespaces(context.principal, args.projectId, args.namespaces);
        return { ...project, namespaces: [...project.namespaces] };
      },
      removeProjectNamespaces: async (_parent, args, context) => {
        const project = await access.removeProjectNamespaces(
          context.principal,
          args.projectId,
          args.namespaces,
        );
        return { ...project, namespaces: [...project.namespaces] };
      },
      createProjectNamespace: async (_parent, args, context) => {
        const project = await createProjectNamespace(context.principal, args.projectId, args.namespace, {
          service: access,
          kube: context.kube,
        });
        return { ...project, namespaces: [...project.namespaces] };
      },
      deleteProject: (_parent, args, context) => access.deleteProject(context.principal, args.projectId),
      addMembership: (_parent, { input }, context) =>
        access.addMembership(context.principal, {
          clusterId: orUndefined(input.clusterId),
          projectId: orUndefined(input.projectId),
          subjectKind: kindOf(input.subjectKind),
          subjectName: input.subjectName,
          templateId: input.templateId,
        }),
      removeMembership: (_parent, args, context) =>
        access.removeMembership(context.principal, args.membershipId),
    },
    RoleTemplate: {
      context: (template) => (template.context === 'cluster' ? 'CLUSTER' : 'PROJECT'),
      rules: (template) =>
        template.rules.map((rule) => ({
          apiGroups: rule.apiGroups ? [...rule.apiGroups] : null,
          resources: rule.resources ? [...rule.resources] : null,
          resourceNames: rule.resourceNames ? [...rule.resourceNames] : null,
          nonResourceURLs: rule.nonResourceURLs ? [...rule.nonResourceURLs] : null,
          verbs: [...rule.verbs],
        })),
      includes: (template) => [...template.includes],
    },
    Subject: {
      kind: (subject) => (subject.kind === 'User' ? 'USER' : 'GROUP'),
    },
  };
}
