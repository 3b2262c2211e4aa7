import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { AuditLog } from '../../src/audit/audit-log.ts';
import { GatewayError } from '../../src/errors/gateway-error.ts';

/** The file's lines once `count` are there (the log opens its file asynchronously), waiting up to 5 s. */
async function linesOf(file: string, count: number): Promise<Record<string, unknown>[]> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const text = await readFile(file, 'utf8').catch(() => '');
    const lines = text.split('\n').filter(Boolean);
    if (lines.length >= count || Date.now() > deadline)
      return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('auditedBy', () => {
  test('records a call that succeeds with its caller, action and place, and answers its result', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'audit-unit-')), 'audit.log');
    const audit = new AuditLog(file);
    const caller = { principalId: 'local:u-1', name: 'alice', isAdmin: false };
    const answer = await audit.auditedBy(
      caller,
      'createProject',
      { clusterId: 'c-1', target: 'web' },
      () => 42,
    );
    audit.close();
    assert.equal(answer, 42);
    const [line] = await linesOf(file, 1);
    assert.equal(line?.kind, 'action');
    assert.equal(line?.principalId, 'local:u-1');
    assert.equal(line?.principal, 'alice');
    assert.equal(line?.action, 'createProject');
    assert.equal(line?.clusterId, 'c-1');
    assert.equal(line?.target, 'web');
    assert.equal(line?.outcome, 'success');
    assert.equal(line?.code, undefined);
  });

  test('records a refused call with its error code and throws the same error on', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'audit-unit-')), 'audit.log');
    const audit = new AuditLog(file);
    const refusal = new GatewayError('FORBIDDEN', 'only administrators may do this');
    await assert.rejects(
      audit.auditedBy(
        { principalId: 'local:u-2', name: 'bob' },
        'removeCluster',
        { clusterId: 'c-2' },
        () => {
          throw refusal;
        },
      ),
      (error) => error === refusal,
    );
    await assert.rejects(
      audit.auditedBy({ principalId: 'local:u-2', name: 'bob' }, 'revokeToken', {}, async () => {
        throw new Error('a fault of the gateway');
      }),
    );
    audit.close();
    const lines = await linesOf(file, 2);
    assert.deepEqual(
      lines.map((l) => [l.action, l.outcome, l.code, l.clusterId]),
      [
        ['removeCluster', 'failure', 'FORBIDDEN', 'c-2'],
        ['revokeToken', 'failure', 'INTERNAL', undefined],
      ],
    );
  });
});
