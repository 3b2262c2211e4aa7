import type { DatabaseSync } from 'node:sqlite';
import type { Principal } from '../auth/principal.ts';
import { withoutWaitingForDisk } from '../store/database.ts';
import { checkClusterNamespaces } from './access-input.ts';
import type {
  GlobalRole,
  GlobalRoleGrant,
  Membership,
  MembershipStatus,
  PolicyRule,
  Project,
  RoleTemplate,
  Subject,
  TemplateContext,
} from './access-model.ts';

/**
 * Where the access policy is kept: the narrow interface the service and the controllers
 * use, so that another store (the management cluster's custom resources,
 * src/management/kube-access-store.ts) can hold it too. Reads answer at once; writes
 * settle once the store (and, for the management cluster, this replica's view) holds them.
 * Built-in templates and global roles are not stored: they live in code.
 */
export interface AccessStore {
  customTemplates(): RoleTemplate[];
  /** Inserts or replaces a custom template. */
  putTemplate(template: RoleTemplate, at: string): Promise<void>;
  deleteTemplate(templateId: string): Promise<boolean>;
  projects(clusterId?: string): Project[];
  project(projectId: string): Project | undefined;
  /** The project holding a namespace of a cluster, if any. */
  projectOfNamespace(clusterId: string, namespace: string): string | undefined;
  /**
   * Changes the projects of one cluster as one write: `change` gets them as stored now
   * (and again, newer, whenever another writer got in first) and answers them all as they
   * must be, or throws to refuse. This is how one namespace stays in one project: the
   * check runs against what the write replaces, never against an older read. Projects
   * holding more than ACCESS_INPUT_LIMITS.namespacesPerCluster namespaces together are
   * refused (checkClusterNamespaces), whichever the store.
   */
  changeProjects(clusterId: string, change: (projects: readonly Project[]) => Project[]): Promise<void>;
  memberships(filter?: { clusterId?: string; templateId?: string }): Membership[];
  membership(membershipId: string): Membership | undefined;
  /** A membership of the same subject, template and scope, if one exists. */
  sameMembership(membership: Omit<Membership, 'membershipId' | 'createdAt' | 'status'>): string | undefined;
  insertMembership(membership: Membership): Promise<void>;
  deleteMembership(membershipId: string): Promise<boolean>;
  /** Records controllers' statuses (state the controllers learn again after a restart). */
  setStatuses(statuses: ReadonlyMap<string, MembershipStatus>): Promise<void>;
  customGlobalRoles(): GlobalRole[];
  putGlobalRole(role: GlobalRole, at: string): Promise<void>;
  /** Deletes a custom global role and its grants. */
  deleteGlobalRole(globalRoleId: string): Promise<boolean>;
  grants(): GlobalRoleGrant[];
  insertGrant(grant: GlobalRoleGrant): Promise<void>;
  deleteGrant(grantId: string): Promise<boolean>;
  /** An OIDC user of this name as they last signed in (with their groups then), if they ever did. */
  oidcPrincipal(name: string): Principal | undefined;
  /**
   * A store shared by replicas tells of policy another replica wrote: the cluster whose
   * controller must look again, or undefined for all of them.
   */
  onChangedElsewhere?(listener: (clusterId: string | undefined) => void): void;
}

interface TemplateRow {
  template_id: string;
  context: string;
  description: string;
  rules: string;
  includes: string;
}
interface ProjectRow {
  project_id: string;
  cluster_id: string;
  name: string;
  created_at: string;
}
interface MembershipRow {
  membership_id: string;
  cluster_id: string;
  project_id: string | null;
  subject_kind: string;
  subject_name: string;
  template_id: string;
  created_at: string;
  status_state: string;
  status_message: string;
  status_at: string;
}

function toMembership(row: MembershipRow): Membership {
  return {
    membershipId: row.membership_id,
    clusterId: row.cluster_id,
    projectId: row.project_id,
    subject: { kind: row.subject_kind as Subject['kind'], name: row.subject_name },
    templateId: row.template_id,
    createdAt: row.created_at,
    status: {
      state: row.status_state as MembershipStatus['state'],
      message: row.status_message,
      at: row.status_at,
    },
  };
}

/** The access policy in the gateway's SQLite store. */
export class AccessRepository implements AccessStore {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  customTemplates(): RoleTemplate[] {
    const rows = this.#db
      .prepare('SELECT * FROM role_templates ORDER BY template_id')
      .all() as unknown as TemplateRow[];
    return rows.map((row) => ({
      templateId: row.template_id,
      context: row.context as TemplateContext,
      description: row.description,
      rules: JSON.parse(row.rules) as PolicyRule[],
      includes: JSON.parse(row.includes) as string[],
      builtIn: false,
    }));
  }

  async putTemplate(template: RoleTemplate, at: string): Promise<void> {
    this.#db
      .prepare(
        `INSERT INTO role_templates (template_id, context, description, rules, includes, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (template_id) DO UPDATE SET context = excluded.context, description = excluded.description,
           rules = excluded.rules, includes = excluded.includes, updated_at = excluded.updated_at`,
      )
      .run(
        template.templateId,
        template.context,
        template.description,
        JSON.stringify(template.rules),
        JSON.stringify(template.includes),
        at,
        at,
      );
  }

  async deleteTemplate(templateId: string): Promise<boolean> {
    return this.#db.prepare('DELETE FROM role_templates WHERE template_id = ?').run(templateId).changes > 0;
  }

  projects(clusterId?: string): Project[] {
    const rows = (clusterId === undefined
      ? this.#db.prepare('SELECT * FROM projects ORDER BY cluster_id, name').all()
      : this.#db
          .prepare('SELECT * FROM projects WHERE cluster_id = ? ORDER BY name')
          .all(clusterId)) as unknown as ProjectRow[];
    return rows.map((row) => this.#toProject(row));
  }

  project(projectId: string): Project | undefined {
    const row = this.#db.prepare('SELECT * FROM projects WHERE project_id = ?').get(projectId) as
      | ProjectRow
      | undefined;
    return row ? this.#toProject(row) : undefined;
  }

  #toProject(row: ProjectRow): Project {
    const namespaces = this.#db
      .prepare('SELECT namespace FROM project_namespaces WHERE project_id = ? ORDER BY namespace')
      .all(row.project_id) as { namespace: string }[];
    return {
      projectId: row.project_id,
      clusterId: row.cluster_id,
      name: row.name,
      namespaces: namespaces.map((n) => n.namespace),
      createdAt: row.created_at,
    };
  }

  projectOfNamespace(clusterId: string, namespace: string): string | undefined {
    const row = this.#db
      .prepare('SELECT project_id FROM project_namespaces WHERE cluster_id = ? AND namespace = ?')
      .get(clusterId, namespace) as { project_id: string } | undefined;
    return row?.project_id;
  }

  async changeProjects(
    clusterId: string,
    change: (projects: readonly Project[]) => Project[],
  ): Promise<void> {
    this.#transaction(() => {
      const before = new Map(this.projects(clusterId).map((p) => [p.projectId, p]));
      const changed = change([...before.values()]);
      checkClusterNamespaces(changed);
      const after = new Map(changed.map((p) => [p.projectId, p]));
      const addNamespace = this.#db.prepare(
        'INSERT INTO project_namespaces (cluster_id, namespace, project_id) VALUES (?, ?, ?)',
      );
      const removeNamespace = this.#db.prepare(
        'DELETE FROM project_namespaces WHERE project_id = ? AND namespace = ?',
      );
      for (const projectId of before.keys())
        if (!after.has(projectId))
          this.#db.prepare('DELETE FROM projects WHERE project_id = ?').run(projectId);
      for (const [projectId, project] of after) {
        const old = before.get(projectId);
        if (!old)
          this.#db
            .prepare('INSERT INTO projects (project_id, cluster_id, name, created_at) VALUES (?, ?, ?, ?)')
            .run(projectId, clusterId, project.name, project.createdAt);
        const had = new Set(old?.namespaces ?? []);
        const has = new Set(project.namespaces);
        for (const namespace of had) if (!has.has(namespace)) removeNamespace.run(projectId, namespace);
        // The table's key (cluster, namespace) refuses a namespace in two projects.
        for (const namespace of has)
          if (!had.has(namespace)) addNamespace.run(clusterId, namespace, projectId);
      }
    });
  }

  memberships(filter: { clusterId?: string; templateId?: string } = {}): Membership[] {
    const rows = (filter.clusterId !== undefined
      ? this.#db
          .prepare('SELECT * FROM memberships WHERE cluster_id = ? ORDER BY created_at, membership_id')
          .all(filter.clusterId)
      : filter.templateId !== undefined
        ? this.#db
            .prepare('SELECT * FROM memberships WHERE template_id = ? ORDER BY created_at')
            .all(filter.templateId)
        : this.#db
            .prepare('SELECT * FROM memberships ORDER BY created_at, membership_id')
            .all()) as unknown as MembershipRow[];
    return rows.map(toMembership);
  }

  membership(membershipId: string): Membership | undefined {
    const row = this.#db.prepare('SELECT * FROM memberships WHERE membership_id = ?').get(membershipId) as
      | MembershipRow
      | undefined;
    return row ? toMembership(row) : undefined;
  }

  sameMembership(m: Omit<Membership, 'membershipId' | 'createdAt' | 'status'>): string | undefined {
    const row = this.#db
      .prepare(
        `SELECT membership_id FROM memberships WHERE cluster_id = ? AND COALESCE(project_id, '') = ?
           AND subject_kind = ? AND subject_name = ? AND template_id = ?`,
      )
      .get(m.clusterId, m.projectId ?? '', m.subject.kind, m.subject.name, m.templateId) as
      | { membership_id: string }
      | undefined;
    return row?.membership_id;
  }

  async insertMembership(m: Membership): Promise<void> {
    this.#db
      .prepare(
        `INSERT INTO memberships (membership_id, cluster_id, project_id, subject_kind, subject_name, template_id,
           created_at, status_state, status_message, status_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        m.membershipId,
        m.clusterId,
        m.projectId,
        m.subject.kind,
        m.subject.name,
        m.templateId,
        m.createdAt,
        m.status.state,
        m.status.message,
        m.status.at,
      );
  }

  async deleteMembership(membershipId: string): Promise<boolean> {
    return this.#db.prepare('DELETE FROM memberships WHERE membership_id = ?').run(membershipId).changes > 0;
  }

  async setStatuses(statuses: ReadonlyMap<string, MembershipStatus>): Promise<void> {
    if (statuses.size === 0) return;
    const update = this.#db.prepare(
      'UPDATE memberships SET status_state = ?, status_message = ?, status_at = ? WHERE membership_id = ?',
    );
    withoutWaitingForDisk(this.#db, () =>
      this.#transaction(() => {
        for (const [membershipId, status] of statuses)
          update.run(status.state, status.message, status.at, membershipId);
      }),
    );
  }

  customGlobalRoles(): GlobalRole[] {
    const rows = this.#db.prepare('SELECT * FROM global_roles ORDER BY global_role_id').all() as {
      global_role_id: string;
      description: string;
      permissions: string;
    }[];
    return rows.map((row) => ({
      globalRoleId: row.global_role_id,
      description: row.description,
      permissions: JSON.parse(row.permissions) as string[],
      builtIn: false,
    }));
  }

  async putGlobalRole(role: GlobalRole, at: string): Promise<void> {
    this.#db
      .prepare(
        `INSERT INTO global_roles (global_role_id, description, permissions, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (global_role_id) DO UPDATE SET description = excluded.description, permissions = excluded.permissions`,
      )
      .run(role.globalRoleId, role.description, JSON.stringify(role.permissions), at);
  }

  async deleteGlobalRole(globalRoleId: string): Promise<boolean> {
    return this.#transaction(() => {
      this.#db.prepare('DELETE FROM global_role_grants WHERE global_role_id = ?').run(globalRoleId);
      return (
        this.#db.prepare('DELETE FROM global_roles WHERE global_role_id = ?').run(globalRoleId).changes > 0
      );
    });
  }

  grants(): GlobalRoleGrant[] {
    const rows = this.#db.prepare('SELECT * FROM global_role_grants ORDER BY created_at').all() as {
      grant_id: string;
      global_role_id: string;
      subject_kind: string;
      subject_name: string;
      created_at: string;
    }[];
    return rows.map((row) => ({
      grantId: row.grant_id,
      globalRoleId: row.global_role_id,
      subject: { kind: row.subject_kind as Subject['kind'], name: row.subject_name },
      createdAt: row.created_at,
    }));
  }

  async insertGrant(grant: GlobalRoleGrant): Promise<void> {
    this.#db
      .prepare(
        'INSERT INTO global_role_grants (grant_id, global_role_id, subject_kind, subject_name, created_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(grant.grantId, grant.globalRoleId, grant.subject.kind, grant.subject.name, grant.createdAt);
  }

  async deleteGrant(grantId: string): Promise<boolean> {
    return this.#db.prepare('DELETE FROM global_role_grants WHERE grant_id = ?').run(grantId).changes > 0;
  }

  oidcPrincipal(name: string): Principal | undefined {
    const row = this.#db
      .prepare(
        "SELECT principal FROM oidc_sessions WHERE json_extract(principal, '$.name') = ? ORDER BY checked_at DESC LIMIT 1",
      )
      .get(name) as { principal: string } | undefined;
    return row ? (JSON.parse(row.principal) as Principal) : undefined;
  }

  #transaction<T>(work: () => T): T {
    if (this.#db.isTransaction) return work();
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }
}
