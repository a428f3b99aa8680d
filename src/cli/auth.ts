/**
 * Registry credentials for a pull, read by the CLI from the user's ~/.docker/config.json (as the
 * docker CLI does) and sent with that one request; the daemon never stores them.
 */
import type { AuthConfig } from '../api/gen/kctl/v1/AuthConfig.js';

export async function credentialsFor(reference: string): Promise<AuthConfig | undefined> {
  try {
    const { normalizeReference } = await import('../core/images/reference.js');
    const { readCredentials } = await import('../core/images/registry/credentials.js');
    const ref = normalizeReference(reference);
    const cred = await readCredentials(ref.domain);
    if (!cred) return undefined;
    return { username: cred.username ?? '', password: cred.password ?? '', identityToken: cred.identitytoken ?? '', registryToken: '', serverAddress: ref.domain };
  } catch {
    return undefined;
  }
}
