import type { IncomingMessage, ServerResponse } from 'node:http';
import { explainAccess } from '../access/access-explain.ts';
import type { AccessService } from '../access/access-service.ts';
import { createProjectNamespace } from '../access/project-namespaces.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import type { PasswordSignIn } from '../auth/password-sign-in.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import { decodePathSegment, readJsonBody, sendJson } from './http-json.ts';
import { authenticateRequest } from './request-auth.ts';

export interface AccessApiOptions {
  readonly access: AccessService;
  readonly kube: KubeClient;
  readonly authenticator: Authenticator;
  readonly passwords: PasswordSignIn;
}

const PREFIX = '/v1/access/';

function text(body: Record<string, unknown>, field: string, required = true): string | undefined {
  const value = body[field];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string') throw new GatewayError('BAD_USER_INPUT', `${field} must be a string`);
  return value;
}

function strings(body: Record<string, unknown>, field: string, required = true): string[] | undefined {
  const value = body[field];
  if (value === undefined && !required) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string'))
    throw new GatewayError('BAD_USER_INPUT', `${field} must be a list of strings`);
  return value;
}

const need = (value: string | undefined) => value as string;

/**
 * The access policy's REST API (docs/access-control.md); GraphQL carries the same, through
 * the same AccessService, with the same checks and audit:
 *   GET|POST /v1/access/templates, PUT|DELETE /v1/access/templates/:templateId
 *   GET|POST /v1/access/global-roles, DELETE /v1/access/global-roles/:globalRoleId
 *   GET|POST /v1/access/global-role-grants, DELETE /v1/access/global-role-grants/:grantId
 *   GET /v1/access/projects?clusterId=, POST /v1/access/projects, DELETE /v1/access/projects/:projectId
 *   POST /v1/access/projects/:projectId/namespaces {namespaces}      add namespaces
 *   POST /v1/access/projects/:projectId/new-namespace {namespace}   a member creates one
 *   DELETE /v1/access/projects/:projectId/namespaces/:namespace     remove one
 *   GET /v1/access/memberships?clusterId=&projectId=, POST /v1/access/memberships, DELETE /v1/access/memberships/:membershipId
 *   POST /v1/access/explain {clusterId, subjectName, verb, group?, resource, subresource?, namespace?, name?}
 */
export class AccessApi {
  readonly #options: AccessApiOptions;

  constructor(options: AccessApiOptions) {
    this.#options = options;
  }

  /** Handles the request if it is one of this API's; returns false otherwise. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (!url.pathname.startsWith(PREFIX)) return false;
    const { principal } = await authenticateRequest(
      req,
      this.#options.authenticator,
      this.#options.passwords,
    );
    const { access, kube } = this.#options;
    const [collection, rawId, sub, rawSubId, ...rest] = url.pathname.slice(PREFIX.length).split('/');
    if (rest.length > 0) throw new GatewayError('NOT_FOUND', `no route ${req.method} ${url.pathname}`);
    const id = rawId === undefined ? undefined : decodePathSegment(rawId);
    const subId = rawSubId === undefined ? undefined : decodePathSegment(rawSubId);
    const route = `${req.method} ${collection}${id === undefined ? '' : '/:id'}${sub === undefined ? '' : `/${sub}`}${subId === undefined ? '' : '/:sub'}`;
    const query = (name: string) => url.searchParams.get(name) ?? undefined;
    const body = req.method === 'POST' || req.method === 'PUT' ? await readJsonBody(req) : {};
    const templateInput = () => ({
      templateId: need(id ?? text(body, 'templateId')),
      context: need(text(body, 'context')),
      description: text(body, 'description', false),
      rules: body.rules,
      includes: strings(body, 'includes', false),
    });
    const answers: Record<string, () => Promise<[number, unknown]> | [number, unknown]> = {
      'GET templates': () => [200, { templates: [...access.templates().values()] }],
      'POST templates': async () => [
        201,
        { template: await access.definitions.createTemplate(principal, templateInput()) },
      ],
      'PUT templates/:id': async () => [
        200,
        { template: await access.definitions.updateTemplate(principal, templateInput()) },
      ],
      'DELETE templates/:id': async () => [
        200,
        { deleted: await access.definitions.deleteTemplate(principal, need(id)) },
      ],
      'GET global-roles': () => [200, { globalRoles: [...access.globalRoles().values()] }],
      'POST global-roles': async () => [
        201,
        {
          globalRole: await access.definitions.createGlobalRole(principal, {
            globalRoleId: need(text(body, 'globalRoleId')),
            description: text(body, 'description', false),
            permissions: strings(body, 'permissions') as string[],
          }),
        },
      ],
      'DELETE global-roles/:id': async () => [
        200,
        { deleted: await access.definitions.deleteGlobalRole(principal, need(id)) },
      ],
      'GET global-role-grants': () => [200, { grants: access.visibleGrants(principal) }],
      'POST global-role-grants': async () => [
        201,
        {
          grant: await access.definitions.grantGlobalRole(principal, {
            globalRoleId: need(text(body, 'globalRoleId')),
            subjectKind: need(text(body, 'subjectKind')),
            subjectName: need(text(body, 'subjectName')),
          }),
        },
      ],
      'DELETE global-role-grants/:id': async () => [
        200,
        { deleted: await access.definitions.revokeGlobalRole(principal, need(id)) },
      ],
      'GET projects': () => [200, { projects: access.visibleProjects(principal, query('clusterId')) }],
      'POST projects': async () => [
        201,
        {
          project: await access.createProject(principal, {
            clusterId: need(text(body, 'clusterId')),
            name: need(text(body, 'name')),
            namespaces: strings(body, 'namespaces', false),
          }),
        },
      ],
      'DELETE projects/:id': async () => [200, { deleted: await access.deleteProject(principal, need(id)) }],
      'POST projects/:id/namespaces': async () => [
        200,
        {
          project: await access.addProjectNamespaces(
            principal,
            need(id),
            strings(body, 'namespaces') as string[],
          ),
        },
      ],
      'POST projects/:id/new-namespace': async () => [
        201,
        {
          project: await createProjectNamespace(principal, need(id), need(text(body, 'namespace')), {
            service: access,
            kube,
          }),
        },
      ],
      'DELETE projects/:id/namespaces/:sub': async () => [
        200,
        { project: await access.removeProjectNamespaces(principal, need(id), [need(subId)]) },
      ],
      'GET memberships': () => [
        200,
        {
          memberships: access.visibleMemberships(principal, {
            clusterId: query('clusterId'),
            projectId: query('projectId'),
          }),
        },
      ],
      'POST memberships': async () => [
        201,
        {
          membership: await access.addMembership(principal, {
            clusterId: text(body, 'clusterId', false),
            projectId: text(body, 'projectId', false),
            subjectKind: need(text(body, 'subjectKind')),
            subjectName: need(text(body, 'subjectName')),
            templateId: need(text(body, 'templateId')),
          }),
        },
      ],
      'DELETE memberships/:id': async () => [
        200,
        { deleted: await access.removeMembership(principal, need(id)) },
      ],
      'POST explain': async () => [
        200,
        await explainAccess(
          principal,
          {
            clusterId: need(text(body, 'clusterId')),
            subjectName: need(text(body, 'subjectName')),
            verb: need(text(body, 'verb')),
            group: text(body, 'group', false) ?? '',
            resource: need(text(body, 'resource')),
            subresource: text(body, 'subresource', false),
            namespace: text(body, 'namespace', false),
            name: text(body, 'name', false),
          },
          { service: access, kube },
        ),
      ],
    };
    const answer = answers[route];
    if (!answer) throw new GatewayError('NOT_FOUND', `no route ${req.method} ${url.pathname}`);
    const [status, value] = await answer();
    sendJson(res, status, value);
    return true;
  }
}
