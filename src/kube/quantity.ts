const SUFFIXES: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A Kubernetes resource quantity ("500m", "32Gi", "1e3") as a number; NaN when it is not one. */
export function parseQuantity(text: string | undefined): number {
  if (!text) return 0;
  const match = /^([+-]?[0-9.]+)(e[+-]?[0-9]+|[a-zA-Z]{0,2})$/.exec(text.trim());
  if (!match) return Number.NaN;
  const [, number, suffix = ''] = match;
  if (suffix.startsWith('e')) return Number(`${number}${suffix}`);
  const factor = SUFFIXES[suffix];
  return factor === undefined ? Number.NaN : Number(number) * factor;
}
