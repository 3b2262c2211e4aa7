import type { Principal } from '../auth/principal.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import { ACCESS_INPUT_LIMITS, checkRoom, newAccessId } from './access-input.ts';
import type { Membership, Project } from './access-model.ts';
import type { AccessService } from './access-service.ts';

/** A membership as asked for: in a cluster, or in a project (whose cluster it is). */
export interface MembershipInput {
  readonly clusterId?: string;
  readonly projectId?: string;
  readonly subjectKind: string;
  readonly subjectName: string;
  readonly templateId: string;
}

const PENDING_MESSAGE = "waiting for the cluster's controller";

/**
 * Adding and removing memberships (docs/access-control.md, "Memberships"): who may, which
 * template fits, whether the person is known; written, audited, and announced to the
 * cluster's controller, which records the membership's status.
 */
export class MembershipChanges {
  readonly #service: AccessService;

  constructor(service: AccessService) {
    this.#service = service;
  }

  add(caller: Principal, input: MembershipInput): Promise<Membership> {
    const where = input.projectId ?? input.clusterId ?? '';
    return this.#service.audit.auditedBy(
      caller,
      'addMembership',
      {
        clusterId: input.clusterId?.slice(0, 64),
        target: `${where.slice(0, 64)}/${input.subjectName.slice(0, 256)}/${input.templateId.slice(0, 64)}`,
      },
      async () => {
        if ((input.clusterId === undefined) === (input.projectId === undefined))
          throw new GatewayError(
            'BAD_USER_INPUT',
            'a membership is in a cluster or in a project: give clusterId or projectId',
          );
        const project = input.projectId === undefined ? undefined : this.#service.project(input.projectId);
        const clusterId = project?.clusterId ?? (input.clusterId as string);
        this.#service.requireCluster(clusterId);
        this.#mayChange(caller, clusterId, project);
        const template = this.#service.templates().get(input.templateId);
        if (!template) throw new GatewayError('NOT_FOUND', `no template ${input.templateId.slice(0, 64)}`);
        const scope = project ? 'project' : 'cluster';
        if (template.context !== scope)
          throw new GatewayError(
            'BAD_USER_INPUT',
            `template ${template.templateId} is a ${template.context} template; a ${scope} membership needs a ${scope} template`,
          );
        const subject = this.#service.knownSubject(input.subjectKind, input.subjectName);
        const fields = {
          clusterId,
          projectId: project?.projectId ?? null,
          subject,
          templateId: template.templateId,
        };
        const existing = this.#service.store.sameMembership(fields);
        if (existing) throw new GatewayError('CONFLICT', `membership ${existing} grants this already`);
        const at = this.#service.now();
        const membership: Membership = {
          membershipId: newAccessId('m'),
          ...fields,
          createdAt: at,
          status: { state: 'Pending', message: PENDING_MESSAGE, at },
        };
        checkRoom(
          'memberships in a cluster',
          this.#service.store.memberships({ clusterId }).length,
          ACCESS_INPUT_LIMITS.membershipsPerCluster,
        );
        await this.#service.store.insertMembership(membership);
        this.#service.emit('changed', clusterId);
        return membership;
      },
    );
  }

  remove(caller: Principal, membershipId: string): Promise<boolean> {
    return this.#service.audit.auditedBy(
      caller,
      'removeMembership',
      { target: membershipId.slice(0, 64) },
      async () => {
        const membership = this.#service.store.membership(membershipId);
        if (!membership) throw new GatewayError('NOT_FOUND', `no membership ${membershipId.slice(0, 64)}`);
        const project =
          membership.projectId === null ? undefined : this.#service.store.project(membership.projectId);
        this.#mayChange(caller, membership.clusterId, project);
        await this.#service.store.deleteMembership(membershipId);
        this.#service.emit('changed', membership.clusterId);
        return true;
      },
    );
  }

  #mayChange(caller: Principal, clusterId: string, project: Project | undefined): void {
    if (this.#service.may(caller, 'memberships:manage')) return;
    if (project ? this.#service.ownsProject(caller, project) : this.#service.ownsCluster(caller, clusterId))
      return;
    throw new GatewayError(
      'FORBIDDEN',
      `changing memberships here needs memberships:manage or ownership of the ${project ? 'project' : 'cluster'}`,
    );
  }
}
