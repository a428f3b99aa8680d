import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extraEndpoints, specFromDocker } from '../../../src/api/docker/spec.js';
import { networkCreateRequest } from '../../../src/api/docker/networks.js';

test('container create: NetworkMode naming a user network, its endpoint\'s aliases and IPv4Address', () => {
  const body = {
    Image: 'busybox', HostConfig: { NetworkMode: 'app' },
    NetworkingConfig: { EndpointsConfig: { app: { Aliases: ['web'], IPAMConfig: { IPv4Address: '172.18.0.9' } }, other: { Aliases: ['w2'] }, third: null } },
  };
  const spec = specFromDocker(body, 'c1');
  assert.equal(spec.networkMode, 'app');
  assert.deepEqual(spec.networkAliases, ['web'], 'only the aliases of the network the container is created on');
  assert.equal(spec.ip, '172.18.0.9');
  assert.deepEqual(extraEndpoints(body), [{ network: 'other', aliases: ['w2'] }, { network: 'third', aliases: [] }]);
});

test('container create: the docker CLI\'s default endpoint is the default network, not another one to connect', () => {
  const body = { Image: 'busybox', HostConfig: { NetworkMode: 'default' }, NetworkingConfig: { EndpointsConfig: { default: {} } } };
  assert.equal(specFromDocker(body, undefined).networkMode, 'bridge');
  assert.deepEqual(extraEndpoints(body), []);
  assert.deepEqual(extraEndpoints({ Image: 'busybox', NetworkingConfig: { EndpointsConfig: { bridge: {} } } }), []);
  // Aliases on the default network reach the core, which refuses them as Docker does.
  assert.deepEqual(specFromDocker({ ...body, NetworkingConfig: { EndpointsConfig: { default: { Aliases: ['x'] } } } }, undefined).networkAliases, ['x']);
  assert.throws(() => specFromDocker({ Image: 'b', NetworkingConfig: { EndpointsConfig: { app: { Aliases: 'x' } } } }, undefined), /EndpointsConfig\["app"\]\.Aliases: a list of strings expected/);
  assert.throws(() => specFromDocker({ Image: 'b', HostConfig: { NetworkMode: 'app' }, NetworkingConfig: { EndpointsConfig: { app: { IPAMConfig: { IPv6Address: 'fd00::2' } } } } }, undefined), /IPv6Address is not supported/);
});

test('network create body: Docker\'s fields into the core\'s request', () => {
  assert.deepEqual(networkCreateRequest({
    Name: 'n', Driver: 'bridge', Internal: true, Attachable: false, Labels: { a: 'b' }, Options: { 'com.docker.network.bridge.name': 'x' },
    IPAM: { Driver: 'default', Config: [{ Subnet: '10.5.0.0/16', Gateway: '10.5.0.1' }], Options: {} }, CheckDuplicate: true,
  }), { name: 'n', driver: 'bridge', subnet: '10.5.0.0/16', gateway: '10.5.0.1', internal: true, attachable: false, labels: { a: 'b' }, options: { 'com.docker.network.bridge.name': 'x' } });
  // compose 1.29 sends an IPAM without Config and null options.
  assert.deepEqual(networkCreateRequest({ Name: 'p_default', IPAM: { Driver: 'default', Config: [] }, Options: null, Labels: null }),
    { name: 'p_default', driver: undefined, subnet: undefined, gateway: undefined, internal: false, attachable: false, labels: {}, options: undefined });
  assert.throws(() => networkCreateRequest({ Name: 'n', IPAM: { Config: [{ Subnet: '10.1.0.0/24' }, { Subnet: '10.2.0.0/24' }] } }), /one IPv4 subnet/);
  assert.throws(() => networkCreateRequest({ Name: 'n', IPAM: { Driver: 'dhcp' } }), /IPAM driver "dhcp"/);
  assert.throws(() => networkCreateRequest({ Name: 'n', Labels: { a: 1 } }), /Labels: an object of strings/);
});

test('container list and inspect show each user network with its address while running (what Traefik and Portainer read)', async () => {
  const { containerSummary } = await import('../../../src/api/docker/containers.js');
  const { ZERO_TIME } = await import('../../../src/core/containers/types.js');
  const id = 'c'.repeat(64);
  const rec = {
    Id: id, Name: 'web', Created: new Date(0).toISOString(), ImageRef: 'busybox', ImageId: 'sha256:x',
    Spec: { image: 'busybox', env: [], labels: {}, tty: false, openStdin: false, memoryBytes: 0, cpus: 0, autoRemove: false, networkMode: 'app' },
    Path: 'sh', Args: [], Env: [], WorkingDir: '/', User: '', Hostname: 'web', StopSignal: 'SIGTERM', StopTimeout: 10, VCPUs: 1, MemoryMiB: 256, RestartCount: 0,
    Networks: { ['n'.repeat(64)]: { NetworkID: 'n'.repeat(64), NetworkName: 'app', EndpointID: 'e'.repeat(64), IPAddress: '172.18.0.2', IPPrefixLen: 16, Gateway: '172.18.0.1', MacAddress: '02:42:ac:12:00:02', Aliases: ['www'] } },
    State: { Status: 'running' as const, Pid: 1, ExitCode: 0, Error: '', StartedAt: new Date().toISOString(), FinishedAt: ZERO_TIME, OOMKilled: false },
    LogPath: '/dev/null',
  };
  const nets = (containerSummary(rec).NetworkSettings as { Networks: Record<string, { IPAddress: string; Aliases: string[]; NetworkID: string }> }).Networks;
  assert.deepEqual(Object.keys(nets), ['app']);
  assert.equal(nets.app!.IPAddress, '172.18.0.2');
  assert.deepEqual(nets.app!.Aliases, ['www', id.slice(0, 12)]);
  const stopped = containerSummary({ ...rec, State: { ...rec.State, Status: 'exited' as const } }).NetworkSettings as { Networks: Record<string, { IPAddress: string; NetworkID: string }> };
  assert.equal(stopped.Networks.app!.IPAddress, '', 'no address while stopped, as in Docker');
  assert.equal(stopped.Networks.app!.NetworkID, 'n'.repeat(64));
});
