// Memory per cached object: the heap a list cache holds per object, measured in this
// process with forced garbage collections, for the objects as the gateway stored them
// before (parsed JSON object graphs) and as it stores them now (CompactItem: JSON deflated
// with a dictionary, and the sort fields). Used by bench/fan-out.ts with pods read from the clusters; runnable alone
// with synthetic pods: node bench/cached-object-memory.ts [count]
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CompactItem, StringPool } from '../src/cache/compact-item.ts';
import { ObjectCodec } from '../src/cache/object-codec.ts';
import { kindProfile } from '../src/kube/kind-fields.ts';
import type { KubeObject } from '../src/kube/objects.ts';
import { liveItem } from '../src/kube/resource-item.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function settledHeap(): number {
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().heapUsed;
}

/** Heap bytes per object held by `store` for `count` copies made from the JSON texts. */
function bytesPerObject(
  texts: readonly string[],
  count: number,
  store: (object: KubeObject) => unknown,
): number {
  // Held as a cache holds them: in a Map by namespace/name.
  const held = new Map<string, unknown>();
  const before = settledHeap();
  for (let i = 0; i < count; i++) {
    // Each copy parsed from text, as objects arrive from a watch: nothing shared by accident.
    const object = JSON.parse(texts[i % texts.length] as string) as KubeObject;
    held.set(`${i}/${object.metadata?.namespace}/${object.metadata?.name}`, store(object));
  }
  const after = settledHeap();
  if (held.size !== count) throw new Error('unreachable');
  return (after - before) / count;
}

/** Both figures for these objects: before (parsed) and now (compact), in bytes per object. */
export function cachedObjectMemory(
  objects: readonly KubeObject[],
  count = 20_000,
): { parsed: number; compact: number; jsonChars: number } {
  const texts = objects.map((object) => JSON.stringify(object));
  const profile = kindProfile('', 'pods');
  const pool = new StringPool();
  const codec = new ObjectCodec(objects[0]);
  const parsed = bytesPerObject(texts, count, (object) => liveItem('cluster-0001', object));
  const compact = bytesPerObject(
    texts,
    count,
    (object) => new CompactItem('cluster-0001', object, profile, pool, codec),
  );
  const jsonChars = texts.reduce((sum, text) => sum + text.length, 0) / texts.length;
  return { parsed, compact, jsonChars };
}

/** A pod as an apiserver returns one of the fan-out benchmark's (defaults filled in), `index` making it unique. */
export function syntheticPod(index: number): KubeObject {
  const name = `web-${String(index).padStart(5, '0')}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: `team-${index % 10}`,
      uid: `0b7c${String(index).padStart(4, '0')}-5a3e-4c1f-9d2b-7e6f8a9b0c1d`,
      resourceVersion: String(100_000 + index),
      creationTimestamp: '2026-11-30T05:00:00Z',
      labels: { app: 'web', shard: String(index % 7) },
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration': `{"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{},"labels":{"app":"web","shard":"${index % 7}"},"name":"${name}","namespace":"team-${index % 10}"},"spec":{"containers":[{"image":"registry.invalid/web:1.2.3","name":"web","resources":{"requests":{"cpu":"10m","memory":"16Mi"}}}],"schedulerName":"not-scheduled"}}\n`,
      },
    },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'registry.invalid/web:1.2.3',
          resources: { requests: { cpu: '10m', memory: '16Mi' } },
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'IfNotPresent',
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      serviceAccount: 'default',
      securityContext: {},
      schedulerName: 'not-scheduled',
      tolerations: [
        {
          key: 'node.kubernetes.io/not-ready',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
        {
          key: 'node.kubernetes.io/unreachable',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
      ],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status: { phase: 'Pending', qosClass: 'Burstable' },
  } as KubeObject;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const count = Number(process.argv[2] ?? 20_000);
  const objects = Array.from({ length: count }, (_, i) => syntheticPod(i));
  const { parsed, compact, jsonChars } = cachedObjectMemory(objects, count);
  console.log(
    `${count} synthetic pods, ${jsonChars.toFixed(0)} JSON characters each: parsed ${(parsed / 1024).toFixed(2)} KiB per pod, compact ${(compact / 1024).toFixed(2)} KiB per pod (${(compact / parsed).toFixed(2)}x)`,
  );
}
