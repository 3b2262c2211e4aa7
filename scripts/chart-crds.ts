// Writes the Helm chart's copy of the CRDs from the definitions the gateway itself applies
// (src/management/crds.ts, access-crds.ts), so that the TypeScript stays their one source. `--check` fails
// when the chart's copy is stale instead of writing it (test/deploy/chart-crds.unit.test.ts
// runs the same comparison).
import { readFileSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { STORE_CRDS } from '../src/management/kubernetes-store.ts';

/** Where the chart keeps the CRDs; Helm installs crds/ before the other templates. */
export const CHART_CRDS_FILE = new URL('../deploy/helm/fleetgate/crds/fleetgate-crds.yaml', import.meta.url)
  .pathname;

const HEADER = `# Generated from src/management/crds.ts and access-crds.ts by \`npm run chart:crds\`; do not edit.
# The gateway applies the same definitions when it starts (server-side apply).
`;

/** The chart's CRD file as it should read: one YAML document per CRD. */
export function renderChartCrds(): string {
  return (
    HEADER +
    STORE_CRDS.map((crd) => `---\n${stringify(crd, { lineWidth: 0, aliasDuplicateObjects: false })}`).join('')
  );
}

if (import.meta.main) {
  const expected = renderChartCrds();
  let current = '';
  try {
    current = readFileSync(CHART_CRDS_FILE, 'utf8');
  } catch {
    // No copy yet: written below, or reported stale with --check.
  }
  if (process.argv.includes('--check')) {
    if (current !== expected) {
      process.stderr.write(`${CHART_CRDS_FILE} is stale: run npm run chart:crds\n`);
      process.exit(1);
    }
  } else if (current !== expected) {
    writeFileSync(CHART_CRDS_FILE, expected);
    process.stderr.write(`wrote ${CHART_CRDS_FILE}\n`);
  }
}
