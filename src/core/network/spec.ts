/**
 * The network and storage part of a container spec, from Docker's flag syntax (the CLI and the
 * gRPC contract carry the flags as written; the Docker API adapter builds the same requests).
 */
import type { ContainerSpec } from '../containers/types.js';
import { parseMountFlag, parseTmpfsFlag, parseVolumeFlag, checkDuplicateTargets } from '../volumes/mounts.js';
import { parseAddHost, validateDns } from './config.js';
import { parsePublish } from './ports.js';
import { isBuiltinNetworkMode, validateNetworkMode } from './plan.js';

export interface NetworkStorageFlags {
  publish?: string[];
  publishAll?: boolean;
  network?: string;
  networkAliases?: string[];
  /** --ip on a user-defined network. */
  ip?: string;
  volumes?: string[];
  mounts?: string[];
  tmpfs?: string[];
  readOnly?: boolean;
  dns?: string[];
  addHosts?: string[];
}

export function networkStorageSpec(f: NetworkStorageFlags): Partial<ContainerSpec> {
  const mounts = [...(f.volumes ?? []).map(parseVolumeFlag), ...(f.mounts ?? []).map(parseMountFlag), ...(f.tmpfs ?? []).map(parseTmpfsFlag)];
  checkDuplicateTargets(mounts);
  for (const h of f.addHosts ?? []) parseAddHost(h);
  return {
    publish: (f.publish ?? []).flatMap(parsePublish),
    publishAll: !!f.publishAll,
    // A user-defined network is looked up by the daemon at create.
    networkMode: isBuiltinNetworkMode(f.network ?? '') ? validateNetworkMode(f.network ?? '') : f.network!,
    networkAliases: f.networkAliases ?? [],
    ...(f.ip ? { ip: f.ip } : {}),
    dns: (f.dns ?? []).map(validateDns),
    extraHosts: f.addHosts ?? [],
    mounts,
    readOnlyRootfs: !!f.readOnly,
  };
}
