/** "Did you mean this?": the known commands closest to a mistyped one (Levenshtein, Cobra's bound). */
export function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/** Ids use ':' between topic and command; only ids at the typed depth are compared. */
export function closestCommands(typed: string, ids: string[], max = 3): string[] {
  const depth = typed.split(':').length;
  const scored = new Map<string, number>();
  for (const id of ids) {
    const cand = id.split(':').slice(0, depth).join(':');
    const d = cand.startsWith(typed) && typed.length >= 2 ? 0 : distance(typed.toLowerCase(), cand.toLowerCase());
    if (d <= 2 && (!scored.has(cand) || scored.get(cand)! > d)) scored.set(cand, d);
  }
  return [...scored].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0])).slice(0, max).map(([c]) => c);
}
