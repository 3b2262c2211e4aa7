/** A person (or component) known to a test cluster's apiserver through its token file. */
export interface TestUser {
  readonly name: string;
  readonly uid: string;
  readonly groups: readonly string[];
}

/** The people every test cluster knows. Tokens are random per cluster. */
export const TEST_USERS = {
  admin: { name: 'admin', uid: 'uid-admin', groups: ['system:masters'] },
  alice: { name: 'alice', uid: 'uid-alice', groups: ['developers', 'team-a'] },
  bob: { name: 'bob', uid: 'uid-bob', groups: ['developers', 'team-b'] },
} as const satisfies Record<string, TestUser>;

export type TestUserName = keyof typeof TEST_USERS;

/**
 * Identities of the cluster's own components. They run as cluster admins: a throwaway
 * test cluster needs no least-privilege split between its controllers.
 */
export const COMPONENT_USERS = {
  controllerManager: { name: 'system:kube-controller-manager', uid: 'uid-kcm', groups: ['system:masters'] },
  scheduler: { name: 'system:kube-scheduler', uid: 'uid-scheduler', groups: ['system:masters'] },
  kwok: { name: 'kwok-controller', uid: 'uid-kwok', groups: ['system:masters'] },
} as const satisfies Record<string, TestUser>;

/** One line of kube-apiserver's --token-auth-file: token,user,uid,"group1,group2". */
export function tokenFileLine(token: string, user: TestUser): string {
  return `${token},${user.name},${user.uid},"${user.groups.join(',')}"`;
}
