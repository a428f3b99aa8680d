/** What the CLI needs to know about a container before attaching to it. */
import { call, type Clients } from './client.js';
import type { JsonDocument__Output } from '../api/gen/kctl/v1/JsonDocument.js';

export interface AttachShape {
  id: string;
  tty: boolean;
  openStdin: boolean;
  running: boolean;
}

export async function attachShape(c: Clients, ref: string): Promise<AttachShape> {
  const doc = JSON.parse((await call<object, JsonDocument__Output>(c.containers, 'Inspect', { id: ref })).json);
  return { id: doc.Id, tty: !!doc.Config?.Tty, openStdin: !!doc.Config?.OpenStdin, running: doc.State?.Status === 'running' };
}
