/**
 * Disk usage of a directory tree, as `du -s --apparent-size` counts it: the sizes of regular files
 * and symlinks, each inode once. Never follows symlinks and never leaves the tree; unreadable
 * entries count as zero. The walk is bounded by `maxEntries` so a hostile tree cannot stall it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

export async function dirSize(dir: string, o: { maxEntries?: number } = {}): Promise<number> {
  const max = o.maxEntries ?? 1_000_000;
  const seen = new Set<string>();
  let total = 0;
  let entries = 0;
  const stack = [dir];
  while (stack.length && entries < max) {
    const d = stack.pop()!;
    let names: string[];
    try {
      names = await fs.readdir(d);
    } catch {
      continue;
    }
    for (const n of names) {
      if (++entries > max) break;
      const p = path.join(d, n);
      let st;
      try {
        st = await fs.lstat(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) stack.push(p);
      else if (st.isFile() || st.isSymbolicLink()) {
        const key = `${st.dev}:${st.ino}`;
        if (st.nlink > 1) {
          if (seen.has(key)) continue;
          seen.add(key);
        }
        total += st.size;
      }
    }
  }
  return total;
}
