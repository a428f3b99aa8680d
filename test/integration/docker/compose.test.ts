/**
 * Debian's docker-compose (1.29, Python docker SDK) as the third client of kctl's Docker Engine
 * API: `up -d` of two services on the default network (one publishing a port), `ps`, `logs`,
 * `down`; then a project on compose's own network, where a client service reaches the web service
 * by its service name, and `down` removes the containers and the network.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { KctlEnv, fixtures, runProgram } from '../helpers/kctl.js';
import { freePort } from '../../fixtures/registry.js';

const COMPOSE = '/usr/bin/docker-compose';

interface Result { code: number; stdout: string; stderr: string }

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 5000 }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => resolve(Buffer.concat(parts).toString()));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

describe('docker-compose against kctl', { skip: fs.existsSync(COMPOSE) ? false : `${COMPOSE} is not installed (apt-get install docker-compose)` }, () => {
  const env = new KctlEnv('dcmp');
  const project = path.join(env.root, 'proj');
  after(async () => {
    await compose(['down', '-t', '1'], 'docker-compose.yml').catch(() => undefined);
    await compose(['down', '-t', '1'], 'with-network.yml').catch(() => undefined);
    await env.teardown();
  });

  function compose(args: string[], file: string): Promise<Result> {
    return runProgram(COMPOSE, ['-f', file, '--project-name', 'kproj', ...args], { env: env.dockerEnv(), cwd: project, timeoutMs: 120000, what: `docker-compose ${args.join(' ')}` });
  }

  let port = 0;
  let webPort = 0;
  before(async () => {
    fs.chmodSync(env.root, 0o711); // as kctld makes a state root: VM helpers running as nobody (passt) traverse it
    await env.ok(['load', '--input', fixtures().KCTL_FIXTURE_DOCKER_ARCHIVE]);
    port = await freePort();
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'docker-compose.yml'), [
      'version: "3.8"',
      'services:',
      '  web:',
      '    image: kctl.test/busybox',
      '    command: ["sh", "-c", "mkdir -p /www; echo compose-web > /www/index.html; exec httpd -f -p 80 -h /www"]',
      `    ports: ["127.0.0.1:${port}:80"]`,
      '    network_mode: bridge',
      '  worker:',
      '    image: kctl.test/busybox',
      '    command: ["sh", "-c", "echo worker-$$ROLE; exec sleep 600"]',
      '    network_mode: bridge',
      '    environment:',
      '      ROLE: up',
      '',
    ].join('\n'));
    webPort = await freePort();
    // The client retries while web's VM boots; it exits 0 once it got the page (bounded: 120 tries).
    fs.writeFileSync(path.join(project, 'with-network.yml'), [
      'version: "3.8"',
      'services:',
      '  web:',
      '    image: kctl.test/busybox',
      '    command: ["sh", "-c", "mkdir -p /www; echo served-by-web > /www/index.html; exec httpd -f -p 8080 -h /www"]',
      `    ports: ["127.0.0.1:${webPort}:8080"]`,
      '  client:',
      '    image: kctl.test/busybox',
      '    command: ["sh", "-c", "for i in $$(seq 1 120); do wget -qO- http://web:8080/ && exit 0; sleep 0.5; done; exit 1"]',
      '    depends_on: [web]',
      '',
    ].join('\n'));
  });

  test('up -d starts both services; the published port answers; logs and ps see them; down removes them', async () => {
    const up = await compose(['up', '-d'], 'docker-compose.yml');
    assert.equal(up.code, 0, up.stderr);
    let body = '';
    for (let i = 0; i < 50 && body !== 'compose-web\n'; i++) { // httpd starts after the VM boots; bounded
      body = await get(`http://127.0.0.1:${port}/`).catch(() => '');
      if (body !== 'compose-web\n') await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(body, 'compose-web\n');
    const ps = await compose(['ps'], 'docker-compose.yml');
    assert.equal(ps.code, 0, ps.stderr);
    assert.match(ps.stdout, /kproj_web_1 .* Up /);
    assert.match(ps.stdout, /kproj_worker_1 .* Up /);
    const logs = await compose(['logs', '--no-color', 'worker'], 'docker-compose.yml');
    assert.match(logs.stdout, /worker-up/);
    const down = await compose(['down', '-t', '1'], 'docker-compose.yml');
    assert.equal(down.code, 0, down.stderr);
    assert.equal((await env.ok(['ps', '-a', '-q'])).trim(), '');
  });

  test('on the project\'s network a service reaches another by its name; down removes the containers and the network', async () => {
    const up = await compose(['up', '-d'], 'with-network.yml');
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stderr, /Creating network "kproj_default" with the default driver/);
    const net = JSON.parse(await env.ok(['network', 'inspect', 'kproj_default']))[0];
    assert.equal(net.Labels['com.docker.compose.project'], 'kproj');
    // The client's exit status says whether it got the page; its log shows what it got.
    assert.equal(await env.ok(['wait', 'kproj_client_1'], { timeoutMs: 180000 }), '0\n', await env.ok(['logs', 'kproj_client_1']).catch((e) => String(e)));
    assert.equal(await env.ok(['logs', 'kproj_client_1']), 'served-by-web\n');
    const aliases = JSON.parse(await env.ok(['inspect', '-f', '{{json .NetworkSettings.Networks.kproj_default.Aliases}}', 'kproj_web_1']));
    assert.ok(aliases.includes('web'), `web's aliases: ${aliases}`);
    assert.equal(await get(`http://127.0.0.1:${webPort}/`), 'served-by-web\n');

    const down = await compose(['down', '-t', '1'], 'with-network.yml');
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stderr, /Removing network kproj_default/);
    assert.equal((await env.ok(['ps', '-a', '-q'])).trim(), '');
    assert.equal(await env.ok(['network', 'ls', '-q', '--filter', 'type=custom']), '');
  });
});
