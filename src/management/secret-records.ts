import type { KubeObject } from '../kube/objects.ts';

/** The one data key of the Secrets the gateway keeps records in. */
const RECORD_KEY = 'record.json';

/** A record kept as a Secret of the management namespace: where the cluster protects secrets. */
export function encodeSecretRecord(name: string, type: string, record: unknown): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'fleetgate' } },
    type,
    data: { [RECORD_KEY]: Buffer.from(JSON.stringify(record), 'utf8').toString('base64') },
  } as KubeObject;
}

/** The record a Secret holds, or undefined when it holds none that parses. */
export function decodeSecretRecord(object: KubeObject): Record<string, unknown> | undefined {
  const data = (object as { data?: Record<string, string> }).data?.[RECORD_KEY];
  if (!data) return undefined;
  try {
    const value = JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Replaces the record in a Secret object (for a read-change-replace write). */
export function withSecretRecord(object: KubeObject, record: unknown): KubeObject {
  (object as { data?: Record<string, string> }).data = {
    [RECORD_KEY]: Buffer.from(JSON.stringify(record), 'utf8').toString('base64'),
  };
  return object;
}
