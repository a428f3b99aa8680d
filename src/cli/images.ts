/** Image helpers the container commands share. */
import { isKctlError } from '../core/errors.js';
import { call, type Clients } from './client.js';
import { pullWithProgress } from './pull.js';
import type { CreateContainerResponse__Output } from '../api/gen/kctl/v1/CreateContainerResponse.js';
import type { ContainerConfig } from '../api/gen/kctl/v1/ContainerConfig.js';

/** The daemon's answer to a create whose image is not there (core/images/service.ts resolveForCreate). */
const NO_SUCH_IMAGE = 'No such image: ';

/**
 * Creates a container with Docker's --pull=missing|always|never, the way the docker CLI does it:
 * the create goes first, and only when the daemon answers that the image is missing does the CLI
 * pull it (with progress on stderr) and create again. A run of an image that is present costs one
 * round trip to kctld, not an inspect and then a create.
 */
export async function createContainer(
  c: Clients,
  config: ContainerConfig,
  o: { pull: string; quiet: boolean; platform?: string },
): Promise<CreateContainerResponse__Output> {
  const image = config.image ?? '';
  // The CLI pulls, so that the progress is shown: the daemon is asked not to.
  const create = () => call<object, CreateContainerResponse__Output>(c.containers, 'Create', { config: { ...config, pullMissing: false } });
  if (o.pull === 'always') {
    await pullWithProgress(c, image, { quiet: o.quiet, platform: o.platform });
    return create();
  }
  try {
    return await create();
  } catch (err) {
    if (o.pull === 'never' || !isKctlError(err, 'not_found') || !err.message.startsWith(NO_SUCH_IMAGE)) throw err;
    if (!o.quiet) process.stderr.write(`Unable to find image '${image}' locally\n`);
    await pullWithProgress(c, image, { quiet: o.quiet, platform: o.platform });
    return create();
  }
}
