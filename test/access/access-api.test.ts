// The access API's checks, through GraphQL and REST on a real gateway: bad input refused
// with a clear error and nothing half-applied, only those allowed may change memberships,
// every change audited. The clusters are registered only: nothing here needs their agents.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { localPrincipal } from '../../src/auth/local-users.ts';
import type { Gateway } from '../../src/gateway.ts';
import { gatewayRequest } from '../harness/gateway-http.ts';
import { startInProcessGateway } from '../tunnel/in-process-fleet.ts';

let gateway: Gateway;
let auditFile: string;
let clusterA: string;
let clusterB: string;
const tokens: Record<string, string> = {};

interface Answer {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function gql(who: string, query: string, variables: Record<string, unknown> = {}): Promise<Answer> {
  const answer = await gatewayRequest(`${gateway.url}/graphql`, {
    method: 'POST',
    caPem: gateway.caPem,
    headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return JSON.parse(answer.text) as Answer;
}

async function rest(who: string, method: string, path: string, body?: unknown) {
  const answer = await gatewayRequest(`${gateway.url}${path}`, {
    method,
    caPem: gateway.caPem,
    headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: answer.status,
    json: JSON.parse(answer.text) as Record<string, unknown> & { error?: { code: string; message: string } },
  };
}

const codeOf = (answer: Answer) => answer.errors?.[0]?.extensions?.code;
const ADD = 'mutation ($input: MembershipInput!) { addMembership(input: $input) { membershipId } }';
const TEMPLATE = 'mutation ($input: RoleTemplateInput!) { createRoleTemplate(input: $input) { templateId } }';
const UPDATE_TEMPLATE =
  'mutation ($input: RoleTemplateInput!) { updateRoleTemplate(input: $input) { templateId } }';
const PROJECT = 'mutation ($input: ProjectInput!) { createProject(input: $input) { projectId } }';
const count = () => gateway.access.memberships().length;

before(async () => {
  auditFile = join(tmpdir(), `fleetgate-access-audit-${process.pid}.log`);
  gateway = await startInProcessGateway({ dangerouslyServeHttp: false, auditLog: auditFile });
  clusterA = (await gateway.registry.register('alpha')).cluster.clusterId;
  clusterB = (await gateway.registry.register('beta')).cluster.clusterId;
  for (const [name, groups] of [
    ['admin', []],
    ['bob', []],
    ['olive', []],
    ['dave', ['managers']],
    ['erin', []],
    ['frank', []],
  ] as const) {
    const user =
      gateway.users.get(name) ??
      (await gateway.users.create(name, `${name}-password-123456`, false, [...groups]));
    tokens[name] = (
      await gateway.tokens.create(localPrincipal(user), {
        kind: 'api',
        description: 'test',
        ttlSeconds: 3600,
      })
    ).token;
  }
});

after(async () => {
  await gateway?.close();
});

describe('bad input is refused with a clear error, and nothing is half-applied', () => {
  test('a template with an invalid rule is refused, naming the rule', async () => {
    const answer = await gql('admin', TEMPLATE, {
      input: {
        templateId: 'broken',
        context: 'PROJECT',
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['fly'] }],
      },
    });
    assert.equal(codeOf(answer), 'BAD_USER_INPUT');
    assert.match(answer.errors?.[0]?.message ?? '', /rule 1: "fly" is not a Kubernetes verb/);
    assert.equal(gateway.access.templates().has('broken'), false);
  });

  test('an inclusion cycle is refused, naming the chain, and the template keeps its old inclusions', async () => {
    const rules = [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] }];
    assert.equal(
      codeOf(await gql('admin', TEMPLATE, { input: { templateId: 'first', context: 'PROJECT', rules } })),
      undefined,
    );
    assert.equal(
      codeOf(
        await gql('admin', TEMPLATE, {
          input: { templateId: 'second', context: 'PROJECT', rules, includes: ['first'] },
        }),
      ),
      undefined,
    );
    const answer = await gql('admin', UPDATE_TEMPLATE, {
      input: { templateId: 'first', context: 'PROJECT', rules, includes: ['second'] },
    });
    assert.equal(codeOf(answer), 'BAD_USER_INPUT');
    assert.match(answer.errors?.[0]?.message ?? '', /cycle: first -> second -> first/);
    assert.deepEqual(gateway.access.templates().get('first')?.includes, []);
  });

  test('a namespace claimed by a second project is refused; the second project is not made', async () => {
    assert.equal(
      codeOf(
        await gql('admin', PROJECT, { input: { clusterId: clusterA, name: 'shop', namespaces: ['a', 'b'] } }),
      ),
      undefined,
    );
    const answer = await gql('admin', PROJECT, {
      input: { clusterId: clusterA, name: 'store', namespaces: ['c', 'b'] },
    });
    assert.equal(codeOf(answer), 'CONFLICT');
    assert.match(answer.errors?.[0]?.message ?? '', /namespace b belongs to project/);
    assert.deepEqual(
      gateway.access.store.projects(clusterA).map((p) => p.name),
      ['shop'],
    );
    assert.equal(gateway.access.store.projectOfNamespace(clusterA, 'c'), undefined);
  });

  test('a project may not hold the cluster’s own namespaces or the agent’s', async () => {
    const answer = await gql('admin', PROJECT, {
      input: { clusterId: clusterA, name: 'sys', namespaces: ['kube-system'] },
    });
    assert.equal(codeOf(answer), 'BAD_USER_INPUT');
  });

  test('a membership for an unknown cluster, person or template, or the wrong kind of template, is refused', async () => {
    const base = {
      clusterId: clusterA,
      subjectKind: 'USER',
      subjectName: 'local:bob',
      templateId: 'cluster-member',
    };
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ ...base, clusterId: 'c-nope' }, 'CLUSTER_NOT_FOUND', /no cluster c-nope/],
      [{ ...base, subjectName: 'local:nobody' }, 'NOT_FOUND', /no person local:nobody/],
      [{ ...base, templateId: 'no-such' }, 'NOT_FOUND', /no template no-such/],
      [{ ...base, templateId: 'project-member' }, 'BAD_USER_INPUT', /needs a cluster template/],
      [{ ...base, subjectName: 'bob' }, 'BAD_USER_INPUT', /local:<name> or oidc:<name>/],
    ];
    for (const [input, code, message] of cases) {
      const answer = await gql('admin', ADD, { input });
      assert.equal(codeOf(answer), code, JSON.stringify(input));
      assert.match(answer.errors?.[0]?.message ?? '', message);
    }
    assert.equal(count(), 0);
  });
});

describe('only those allowed change memberships', () => {
  test('a standard user may not add a membership, and the refusal is audited', async () => {
    const answer = await gql('bob', ADD, {
      input: {
        clusterId: clusterA,
        subjectKind: 'USER',
        subjectName: 'local:bob',
        templateId: 'cluster-owner',
      },
    });
    assert.equal(codeOf(answer), 'FORBIDDEN');
    assert.equal(count(), 0);
    gateway.audit.flush();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const lines = (await readFile(auditFile, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(
      lines.some(
        (l) =>
          l.action === 'addMembership' &&
          l.principal === 'bob' &&
          l.outcome === 'failure' &&
          l.code === 'FORBIDDEN',
      ),
    );
  });

  test('a cluster owner may add memberships in their cluster and not in another', async () => {
    const made = await gql('admin', ADD, {
      input: {
        clusterId: clusterA,
        subjectKind: 'USER',
        subjectName: 'local:olive',
        templateId: 'cluster-owner',
      },
    });
    assert.equal(codeOf(made), undefined);
    const inOwn = await gql('olive', ADD, {
      input: {
        clusterId: clusterA,
        subjectKind: 'USER',
        subjectName: 'local:erin',
        templateId: 'cluster-read-only',
      },
    });
    assert.equal(codeOf(inOwn), undefined);
    const elsewhere = await gql('olive', ADD, {
      input: {
        clusterId: clusterB,
        subjectKind: 'USER',
        subjectName: 'local:erin',
        templateId: 'cluster-read-only',
      },
    });
    assert.equal(codeOf(elsewhere), 'FORBIDDEN');
  });

  test('a project owner may add memberships in their project, not in the cluster', async () => {
    const projectId = gateway.access.store.projects(clusterA)[0]?.projectId;
    assert.equal(
      codeOf(
        await gql('admin', ADD, {
          input: { projectId, subjectKind: 'USER', subjectName: 'local:erin', templateId: 'project-owner' },
        }),
      ),
      undefined,
    );
    assert.equal(
      codeOf(
        await gql('erin', ADD, {
          input: { projectId, subjectKind: 'USER', subjectName: 'local:bob', templateId: 'project-member' },
        }),
      ),
      undefined,
    );
    assert.equal(
      codeOf(
        await gql('erin', ADD, {
          input: {
            clusterId: clusterA,
            subjectKind: 'USER',
            subjectName: 'local:bob',
            templateId: 'cluster-member',
          },
        }),
      ),
      'FORBIDDEN',
    );
  });

  test('a custom global role with memberships:manage, granted to a group, lets its members add memberships anywhere', async () => {
    assert.equal(
      codeOf(
        await gql('dave', ADD, {
          input: {
            clusterId: clusterB,
            subjectKind: 'USER',
            subjectName: 'local:bob',
            templateId: 'cluster-member',
          },
        }),
      ),
      'FORBIDDEN',
    );
    const role = await gql(
      'admin',
      'mutation { createGlobalRole(input: { globalRoleId: "access-managers", permissions: ["memberships:manage"] }) { globalRoleId } }',
    );
    assert.equal(codeOf(role), undefined);
    const grant = await gql(
      'admin',
      'mutation { grantGlobalRole(input: { globalRoleId: "access-managers", subjectKind: GROUP, subjectName: "local:managers" }) { grantId } }',
    );
    assert.equal(codeOf(grant), undefined);
    assert.equal(
      codeOf(
        await gql('dave', ADD, {
          input: {
            clusterId: clusterB,
            subjectKind: 'USER',
            subjectName: 'local:bob',
            templateId: 'cluster-member',
          },
        }),
      ),
      undefined,
    );
    const permissions = await gql('dave', '{ myPermissions }');
    assert.deepEqual([...((permissions.data?.myPermissions as string[] | undefined) ?? [])].sort(), [
      'clusters:use',
      'memberships:manage',
    ]);
  });

  test('a standard user sees only their own memberships; a cluster owner sees those of their cluster', async () => {
    const listed = async (who: string) =>
      ((await gql(who, '{ memberships { clusterId subject { name } } }')).data?.memberships ?? []) as {
        clusterId: string;
        subject: { name: string };
      }[];
    const bobs = await listed('bob');
    assert.ok(bobs.length > 0);
    assert.ok(bobs.every((m) => m.subject.name === 'local:bob'));
    const olives = await listed('olive');
    assert.ok(olives.some((m) => m.subject.name === 'local:erin' && m.clusterId === clusterA));
    assert.ok(olives.every((m) => m.clusterId === clusterA));
    assert.equal((await listed('admin')).length, count());
  });

  test('a standard user sees only the projects they are a member of', async () => {
    const names = async (who: string) =>
      (((await gql(who, '{ projects { name } }')).data?.projects ?? []) as { name: string }[]).map(
        (p) => p.name,
      );
    assert.deepEqual(await names('bob'), ['shop']);
    assert.deepEqual(await names('frank'), []);
    assert.deepEqual(await names('admin'), ['shop']);
  });

  test('an unknown gateway permission is refused', async () => {
    const answer = await gql(
      'admin',
      'mutation { createGlobalRole(input: { globalRoleId: "odd", permissions: ["everything"] }) { globalRoleId } }',
    );
    assert.equal(codeOf(answer), 'BAD_USER_INPUT');
  });
});

describe('the REST API carries the same', () => {
  test('a membership is added, listed and removed through /v1/access/memberships', async () => {
    const created = await rest('admin', 'POST', '/v1/access/memberships', {
      clusterId: clusterB,
      subjectKind: 'Group',
      subjectName: 'local:managers',
      templateId: 'cluster-read-only',
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const membershipId = (created.json.membership as { membershipId: string }).membershipId;
    const listed = await rest('admin', 'GET', `/v1/access/memberships?clusterId=${clusterB}`);
    assert.ok(
      (listed.json.memberships as { membershipId: string }[]).some((m) => m.membershipId === membershipId),
    );
    assert.equal((await rest('admin', 'DELETE', `/v1/access/memberships/${membershipId}`)).status, 200);
    assert.equal(gateway.access.store.membership(membershipId), undefined);
  });

  test('a malformed body is refused with a clear error', async () => {
    const answer = await rest('admin', 'POST', '/v1/access/memberships', {
      clusterId: clusterB,
      subjectKind: 'User',
      subjectName: 42,
      templateId: 'x',
    });
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.json.error, { code: 'BAD_USER_INPUT', message: 'subjectName must be a string' });
  });

  test('a path segment that is not valid percent-encoding is a 400, not an internal error', async () => {
    const answer = await rest('admin', 'DELETE', '/v1/access/templates/%E0%A4%A');
    assert.equal(answer.status, 400);
    assert.equal(answer.json.error?.code, 'BAD_USER_INPUT');
    assert.match(answer.json.error?.message ?? '', /percent-encoding/);
  });

  test('a standard user may not change templates through REST either', async () => {
    const answer = await rest('bob', 'POST', '/v1/access/templates', {
      templateId: 'mine',
      context: 'project',
      rules: [],
    });
    assert.equal(answer.status, 403);
    assert.equal(answer.json.error?.code, 'FORBIDDEN');
  });
});

describe('explaining someone else’s access tells nothing about who exists', () => {
  const EXPLAIN = 'query ($input: ExplainAccessInput!) { explainAccess(input: $input) { allowed } }';
  const question = (subjectName: string) => ({
    clusterId: clusterA,
    subjectName,
    verb: 'list',
    resource: 'pods',
  });

  test('without access:explain, a known and an unknown person are refused alike (FORBIDDEN, not NOT_FOUND)', async () => {
    for (const subjectName of ['local:olive', 'local:nobody-by-this-name', 'oidc:ghost@example.com']) {
      const answer = await gql('frank', EXPLAIN, { input: question(subjectName) });
      assert.equal(codeOf(answer), 'FORBIDDEN', `GraphQL, ${subjectName}`);
      const viaRest = await rest('frank', 'POST', '/v1/access/explain', question(subjectName));
      assert.equal(viaRest.status, 403, `REST, ${subjectName}`);
      assert.equal(viaRest.json.error?.code, 'FORBIDDEN', `REST, ${subjectName}`);
    }
  });

  test('with access:explain, an unknown person is NOT_FOUND', async () => {
    const answer = await gql('admin', EXPLAIN, { input: question('local:nobody-by-this-name') });
    assert.equal(codeOf(answer), 'NOT_FOUND');
  });
});
