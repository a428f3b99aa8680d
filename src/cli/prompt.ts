/**
 * Docker's confirmations ("Are you sure you want to continue? [y/N]"). The question goes to stderr so
 * stdout keeps only results. Without a terminal on stdin kctl never waits for an answer and never
 * acts: it refuses at once and says which flag skips the question.
 */
import { KctlError, failedPrecondition } from '../core/errors.js';

/** ctrl-c (or a closed terminal) during a question: nothing was decided. */
function canceled(err: unknown): never {
  if ((err as Error)?.name === 'ExitPromptError' || (err as Error)?.name === 'AbortPromptError') {
    throw new KctlError('canceled', 'canceled: nothing was changed');
  }
  throw err;
}

export async function confirm(warning: string, o: { force: boolean; command: string }): Promise<boolean> {
  if (o.force) return true;
  if (!process.stdin.isTTY) {
    throw failedPrecondition(`${o.command} needs a confirmation and stdin is not a terminal`, { hint: `use --force (-f) to ${o.command} without the question` });
  }
  process.stderr.write(warning + '\n');
  const { default: inquirer } = await import('inquirer');
  const prompt = inquirer.createPromptModule({ output: process.stderr });
  const { ok } = await prompt<{ ok: boolean }>([{ type: 'confirm', name: 'ok', message: 'Are you sure you want to continue?', default: false }]).catch(canceled);
  return ok;
}

/** Reads a secret from a terminal without echo (login's password). */
export async function askSecret(message: string): Promise<string> {
  const { default: inquirer } = await import('inquirer');
  const prompt = inquirer.createPromptModule({ output: process.stderr });
  const { v } = await prompt<{ v: string }>([{ type: 'password', name: 'v', message, mask: false }]).catch(canceled);
  return v;
}

export async function askText(message: string): Promise<string> {
  const { default: inquirer } = await import('inquirer');
  const prompt = inquirer.createPromptModule({ output: process.stderr });
  const { v } = await prompt<{ v: string }>([{ type: 'input', name: 'v', message }]).catch(canceled);
  return v;
}
