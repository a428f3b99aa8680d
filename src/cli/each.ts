/** Docker's multi-container commands (stop a b c): act on each, print each name, report failures, exit 1 if any failed. */
export async function forEachContainer(ids: string[], fn: (id: string) => Promise<void>): Promise<number> {
  let failed = 0;
  for (const id of ids) {
    try {
      await fn(id);
      process.stdout.write(id + '\n');
    } catch (err) {
      failed++;
      process.stderr.write(`Error response from daemon: ${(err as Error).message}\n`);
    }
  }
  return failed ? 1 : 0;
}
