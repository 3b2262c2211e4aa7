import type { Principal } from '../auth/principal.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import {
  ACCESS_INPUT_LIMITS,
  checkDescription,
  checkGlobalRoleId,
  checkRoom,
  newAccessId,
  parseContext,
} from './access-input.ts';
import type { GlobalRole, GlobalRoleGrant, RoleTemplate } from './access-model.ts';
import type { AccessService } from './access-service.ts';
import { BUILT_IN_GLOBAL_ROLES, isGatewayPermission } from './global-roles.ts';
import { checkTemplateGraph, checkTemplateId, parseRules } from './role-templates.ts';

/** A custom template as written through the API. */
export interface TemplateInput {
  readonly templateId: string;
  readonly context: string;
  readonly description?: string;
  readonly rules: unknown;
  readonly includes?: readonly string[];
}

/**
 * Changes to the definitions the policy is made of, custom role templates and global roles
 * and their grants (docs/access-control.md): checked whole, written, audited; a template
 * change is announced to every cluster's controller.
 */
export class RoleDefinitions {
  readonly #service: AccessService;

  constructor(service: AccessService) {
    this.#service = service;
  }

  createTemplate(caller: Principal, input: TemplateInput): Promise<RoleTemplate> {
    return this.#service.audit.auditedBy(
      caller,
      'createRoleTemplate',
      { target: input.templateId.slice(0, 64) },
      () => {
        this.#service.requirePermission(caller, 'templates:manage');
        checkTemplateId(input.templateId);
        const templates = this.#service.templates();
        if (templates.has(input.templateId))
          throw new GatewayError('CONFLICT', `a template ${input.templateId} exists already`);
        checkRoom(
          'custom templates',
          this.#service.store.customTemplates().length,
          ACCESS_INPUT_LIMITS.customTemplates,
        );
        return this.#writeTemplate(input, templates);
      },
    );
  }

  updateTemplate(caller: Principal, input: TemplateInput): Promise<RoleTemplate> {
    return this.#service.audit.auditedBy(
      caller,
      'updateRoleTemplate',
      { target: input.templateId.slice(0, 64) },
      () => {
        this.#service.requirePermission(caller, 'templates:manage');
        const templates = this.#service.templates();
        const old = templates.get(input.templateId);
        if (!old) throw new GatewayError('NOT_FOUND', `no template ${input.templateId.slice(0, 64)}`);
        if (old.builtIn)
          throw new GatewayError('FORBIDDEN', `built-in template ${old.templateId} cannot be changed`);
        if (parseContext(input.context) !== old.context)
          throw new GatewayError('BAD_USER_INPUT', `template ${old.templateId}: its context cannot change`);
        return this.#writeTemplate(input, templates);
      },
    );
  }

  async #writeTemplate(input: TemplateInput, templates: Map<string, RoleTemplate>): Promise<RoleTemplate> {
    const description = input.description ?? '';
    checkDescription(description);
    const template: RoleTemplate = {
      templateId: input.templateId,
      context: parseContext(input.context),
      description,
      rules: parseRules(input.rules, input.templateId),
      includes: [...new Set(input.includes ?? [])],
      builtIn: false,
    };
    templates.set(template.templateId, template);
    // Every template is checked again: a change can make one that includes it invalid.
    for (const other of templates.values()) checkTemplateGraph(other, templates);
    await this.#service.store.putTemplate(template, this.#service.now());
    this.#service.emit('changed', undefined);
    return template;
  }

  deleteTemplate(caller: Principal, templateId: string): Promise<boolean> {
    return this.#service.audit.auditedBy(
      caller,
      'deleteRoleTemplate',
      { target: templateId.slice(0, 64) },
      async () => {
        this.#service.requirePermission(caller, 'templates:manage');
        const templates = this.#service.templates();
        const template = templates.get(templateId);
        if (!template) throw new GatewayError('NOT_FOUND', `no template ${templateId.slice(0, 64)}`);
        if (template.builtIn)
          throw new GatewayError('FORBIDDEN', `built-in template ${templateId} cannot be deleted`);
        const includer = [...templates.values()].find((t) => t.includes.includes(templateId));
        if (includer)
          throw new GatewayError('CONFLICT', `template ${includer.templateId} includes ${templateId}`);
        const used = this.#service.store.memberships({ templateId }).length;
        if (used > 0) throw new GatewayError('CONFLICT', `${used} memberships use template ${templateId}`);
        return await this.#service.store.deleteTemplate(templateId);
      },
    );
  }

  createGlobalRole(
    caller: Principal,
    input: { globalRoleId: string; description?: string; permissions: readonly string[] },
  ): Promise<GlobalRole> {
    return this.#service.audit.auditedBy(
      caller,
      'createGlobalRole',
      { target: input.globalRoleId.slice(0, 64) },
      async () => {
        this.#service.requirePermission(caller, 'global-roles:manage');
        checkGlobalRoleId(input.globalRoleId);
        checkDescription(input.description ?? '');
        if (this.#service.globalRoles().has(input.globalRoleId))
          throw new GatewayError('CONFLICT', `a global role ${input.globalRoleId} exists already`);
        if (input.permissions.length > ACCESS_INPUT_LIMITS.permissions)
          throw new GatewayError('BAD_USER_INPUT', 'too many permissions');
        const unknown = input.permissions.find((p) => !isGatewayPermission(p));
        if (unknown !== undefined)
          throw new GatewayError(
            'BAD_USER_INPUT',
            `${JSON.stringify(unknown.slice(0, 64))} is not a gateway permission`,
          );
        const role: GlobalRole = {
          globalRoleId: input.globalRoleId,
          description: input.description ?? '',
          permissions: [...new Set(input.permissions)],
          builtIn: false,
        };
        checkRoom(
          'custom global roles',
          this.#service.store.customGlobalRoles().length,
          ACCESS_INPUT_LIMITS.customGlobalRoles,
        );
        await this.#service.store.putGlobalRole(role, this.#service.now());
        return role;
      },
    );
  }

  deleteGlobalRole(caller: Principal, globalRoleId: string): Promise<boolean> {
    return this.#service.audit.auditedBy(
      caller,
      'deleteGlobalRole',
      { target: globalRoleId.slice(0, 64) },
      async () => {
        this.#service.requirePermission(caller, 'global-roles:manage');
        if (BUILT_IN_GLOBAL_ROLES.some((r) => r.globalRoleId === globalRoleId))
          throw new GatewayError('FORBIDDEN', `built-in global role ${globalRoleId} cannot be deleted`);
        if (!(await this.#service.store.deleteGlobalRole(globalRoleId)))
          throw new GatewayError('NOT_FOUND', `no global role ${globalRoleId.slice(0, 64)}`);
        return true;
      },
    );
  }

  grantGlobalRole(
    caller: Principal,
    input: { globalRoleId: string; subjectKind: string; subjectName: string },
  ): Promise<GlobalRoleGrant> {
    return this.#service.audit.auditedBy(
      caller,
      'grantGlobalRole',
      { target: `${input.globalRoleId.slice(0, 64)}/${input.subjectName.slice(0, 256)}` },
      async () => {
        this.#service.requirePermission(caller, 'global-roles:manage');
        const role = this.#service.globalRoles().get(input.globalRoleId);
        if (!role) throw new GatewayError('NOT_FOUND', `no global role ${input.globalRoleId.slice(0, 64)}`);
        if (role.globalRoleId === 'administrator')
          throw new GatewayError('FORBIDDEN', 'administrators are made with the admin flag of a local user');
        const subject = this.#service.knownSubject(input.subjectKind, input.subjectName);
        if (
          this.#service.store
            .grants()
            .some(
              (g) =>
                g.globalRoleId === role.globalRoleId &&
                g.subject.kind === subject.kind &&
                g.subject.name === subject.name,
            )
        )
          throw new GatewayError('CONFLICT', `${subject.name} holds ${role.globalRoleId} already`);
        const grant: GlobalRoleGrant = {
          grantId: newAccessId('g'),
          globalRoleId: role.globalRoleId,
          subject,
          createdAt: this.#service.now(),
        };
        checkRoom(
          'global role grants',
          this.#service.store.grants().length,
          ACCESS_INPUT_LIMITS.globalRoleGrants,
        );
        await this.#service.store.insertGrant(grant);
        return grant;
      },
    );
  }

  revokeGlobalRole(caller: Principal, grantId: string): Promise<boolean> {
    return this.#service.audit.auditedBy(
      caller,
      'revokeGlobalRole',
      { target: grantId.slice(0, 64) },
      async () => {
        this.#service.requirePermission(caller, 'global-roles:manage');
        if (!(await this.#service.store.deleteGrant(grantId)))
          throw new GatewayError('NOT_FOUND', `no grant ${grantId.slice(0, 64)}`);
        return true;
      },
    );
  }
}
