import type { Principal } from '../auth/principal.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import type { GlobalRole, GlobalRoleGrant, Membership, Project, RoleTemplate } from './access-model.ts';
import type { AccessStore } from './access-repository.ts';

/**
 * The access policy where no store can hold it yet (the management cluster's store of
 * replicas, docs/replicas.md): nothing is granted and every change is refused, so that no
 * replica keeps a policy of its own that the others' controllers would undo.
 */
export class UnavailableAccessStore implements AccessStore {
  customTemplates(): RoleTemplate[] {
    return [];
  }
  putTemplate(): void {
    refuse();
  }
  deleteTemplate(): boolean {
    return refuse();
  }
  projects(): Project[] {
    return [];
  }
  project(): Project | undefined {
    return undefined;
  }
  projectOfNamespace(): string | undefined {
    return undefined;
  }
  insertProject(): void {
    refuse();
  }
  deleteProject(): boolean {
    return refuse();
  }
  addNamespaces(): void {
    refuse();
  }
  removeNamespaces(): void {
    refuse();
  }
  memberships(): Membership[] {
    return [];
  }
  membership(): Membership | undefined {
    return undefined;
  }
  sameMembership(): string | undefined {
    return undefined;
  }
  insertMembership(): void {
    refuse();
  }
  deleteMembership(): boolean {
    return refuse();
  }
  setStatuses(): void {}
  customGlobalRoles(): GlobalRole[] {
    return [];
  }
  putGlobalRole(): void {
    refuse();
  }
  deleteGlobalRole(): boolean {
    return refuse();
  }
  grants(): GlobalRoleGrant[] {
    return [];
  }
  insertGrant(): void {
    refuse();
  }
  deleteGrant(): boolean {
    return refuse();
  }
  oidcPrincipal(): Principal | undefined {
    return undefined;
  }
  transaction<T>(): T {
    return refuse();
  }
}

function refuse(): never {
  throw new GatewayError(
    'CONFLICT',
    'the access policy cannot be kept in the Kubernetes store yet: run the gateway with the SQLite store to manage access',
  );
}
