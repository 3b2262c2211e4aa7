import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { CHART_CRDS_FILE, renderChartCrds } from '../../scripts/chart-crds.ts';
import { STORE_CRDS } from '../../src/management/kubernetes-store.ts';

describe('the chart copy of the CRDs', () => {
  test('matches the definitions the gateway applies (run npm run chart:crds when it does not)', () => {
    assert.equal(readFileSync(CHART_CRDS_FILE, 'utf8'), renderChartCrds());
  });

  test('parses back to exactly the gateway definitions, one document per CRD', () => {
    const documents = parseAllDocuments(readFileSync(CHART_CRDS_FILE, 'utf8')).map((d) => d.toJS());
    assert.deepEqual(documents, JSON.parse(JSON.stringify(STORE_CRDS)));
  });
});
