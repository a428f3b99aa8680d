/**
 * The Docker Engine API server on $KCTL_ROOT/docker.sock, so the docker CLI, dockerode and
 * docker-compose drive kctl. Handlers decode a request, call the engine, encode Docker's answer.
 * There is no TCP listener: the socket (mode 0600) is the only way in.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { Engine } from '../../core/engine.js';
import { DOCKER_API_VERSION, KCTL_VERSION } from '../../core/engine.js';
import { HttpError, Router, sendError, splitVersion, type Ctx } from './http.js';
import { systemRoutes } from './system.js';
import { imageRoutes } from './images.js';
import { containerRoutes } from './containers.js';
import { execRoutes } from './exec.js';
import { networkVolumeRoutes } from './networks.js';
import { listenGuarded } from '../peer.js';

export interface DockerServer {
  server: http.Server;
  listen(socketPath: string): Promise<void>;
  /** Stops listening and drops every connection, streams included. */
  close(): Promise<void>;
}

export function createDockerServer(engine: Engine): DockerServer {
  const router = new Router();
  systemRoutes(router, engine);
  imageRoutes(router, engine);
  containerRoutes(router, engine);
  execRoutes(router, engine);
  networkVolumeRoutes(router, engine);

  const sockets = new Set<Duplex>();
  const dispatch = async (req: http.IncomingMessage, res: http.ServerResponse | undefined, upgrade: Ctx['upgrade']) => {
    const url = new URL(req.url ?? '/', 'http://docker');
    const ctx: Ctx = { req, res, upgrade, params: [], query: url.searchParams, apiVersion: DOCKER_API_VERSION };
    try {
      const { version, path } = splitVersion(url.pathname, DOCKER_API_VERSION);
      ctx.apiVersion = version;
      const m = router.match(req.method ?? 'GET', path.length > 1 ? path.replace(/\/$/, '') : path);
      if (!m || m === 'method') throw new HttpError(404, 'page not found');
      ctx.params = m.params;
      await m.handler(ctx);
    } catch (err) {
      engine.log.debug('docker api request failed', { method: req.method, url: req.url, error: (err as Error).message });
      sendError(ctx, err);
    }
  };

  const server = http.createServer({ requestTimeout: 0, headersTimeout: 60_000 }, (req, res) => {
    res.setHeader('Server', `kctl/${KCTL_VERSION} (linux)`);
    res.setHeader('Api-Version', DOCKER_API_VERSION);
    res.setHeader('Ostype', 'linux');
    void dispatch(req, res, undefined);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    void dispatch(req, undefined, { socket, head });
  });
  server.on('clientError', (_err, socket: Duplex) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"message":"malformed HTTP request"}\n');
    else socket.destroy();
  });

  let guard: import('node:net').Server | undefined;
  return {
    server,
    async listen(socketPath: string) {
      // Connections reach the HTTP server only after their peer's credentials were checked.
      guard = await listenGuarded(socketPath, (sock) => {
        server.emit('connection', sock);
        sock.resume();
      }, engine.log.with({ component: 'docker-api' }));
    },
    async close() {
      const closed = new Promise<void>((r) => (guard ? guard.close(() => r()) : r()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
