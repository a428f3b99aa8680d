/** Image helpers the container commands share. */
import { isKctlError } from '../core/errors.js';
import { call, type Clients } from './client.js';
import { pullWithProgress } from './pull.js';

/** Docker's --pull=missing|always|never before create/run. */
export async function ensureImage(c: Clients, image: string, o: { pull: string; quiet: boolean; platform?: string }): Promise<void> {
  if (o.pull === 'always') {
    await pullWithProgress(c, image, { quiet: o.quiet, platform: o.platform });
    return;
  }
  try {
    await call(c.images, 'Inspect', { reference: image });
  } catch (err) {
    if (!isKctlError(err, 'not_found') || o.pull === 'never') throw err;
    if (!o.quiet) process.stderr.write(`Unable to find image '${image}' locally\n`);
    await pullWithProgress(c, image, { quiet: o.quiet, platform: o.platform });
  }
}
