#!/bin/bash
# A local registry mirror for kctl on machines without access to Docker Hub.
#
#   scripts/local-mirror.sh [--dir DIR] [--no-nginx]   start (or reuse) it, push the images, configure kctl
#   scripts/local-mirror.sh --status | --stop
#
# Starts Debian's docker-registry on 127.0.0.1:5000 in the background (data and pid file under
# DIR, default /var/lib/kctl-mirror), pushes library/busybox and library/nginx built by
# test/fixtures/build-images.sh, and adds http://127.0.0.1:5000 to "registry-mirrors" in
# $KCTL_ROOT/daemon.json (other keys kept). Then `kctl pull busybox` and `kctl run nginx` work
# offline. Running it again is safe: a running mirror is reused, pushes are skipped when the
# mirror already has the image. A running kctld is told to re-read daemon.json (SIGHUP).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT_DIR=$(cd "$HERE/.." && pwd)
DIR=/var/lib/kctl-mirror
ADDR=127.0.0.1:5000
NGINX=1
ACTION=start
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) DIR=$2; shift 2 ;;
    --no-nginx) NGINX=0; shift ;;
    --status) ACTION=status; shift ;;
    --stop) ACTION=stop; shift ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "local-mirror.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

PIDFILE=$DIR/registry.pid
LOG=$DIR/registry.log

running() {
  [[ -f $PIDFILE ]] || return 1
  local pid; pid=$(cat "$PIDFILE")
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && grep -q docker-registry "/proc/$pid/cmdline" 2>/dev/null
}

case $ACTION in
  status)
    if running; then echo "mirror running (pid $(cat "$PIDFILE")) at http://$ADDR, data in $DIR"; else echo "mirror not running"; exit 1; fi
    exit 0 ;;
  stop)
    if running; then
      pid=$(cat "$PIDFILE"); kill "$pid"
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
      rm -f "$PIDFILE"; echo "mirror stopped"
    else
      echo "mirror not running"
    fi
    exit 0 ;;
esac

for tool in docker-registry skopeo curl node; do
  command -v "$tool" >/dev/null || { echo "local-mirror.sh: $tool is missing (apt-get install ${tool/node/nodejs})" >&2; exit 1; }
done

mkdir -p "$DIR/data"
if running; then
  echo "mirror already running (pid $(cat "$PIDFILE")) at http://$ADDR"
else
  if curl -s -o /dev/null --max-time 2 "http://$ADDR/v2/"; then
    echo "local-mirror.sh: something else already listens on $ADDR; stop it or use that registry" >&2
    exit 1
  fi
  cat > "$DIR/config.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $DIR/data
  delete:
    enabled: true
http:
  addr: $ADDR
YAML
  nohup docker-registry serve "$DIR/config.yml" >>"$LOG" 2>&1 </dev/null &
  echo $! > "$PIDFILE"
  for _ in $(seq 100); do
    curl -s -o /dev/null --max-time 1 "http://$ADDR/v2/" && break
    running || { echo "local-mirror.sh: docker-registry exited; last log lines:" >&2; tail -n 12 "$LOG" >&2; exit 1; }
    sleep 0.1
  done
  curl -s -o /dev/null --max-time 1 "http://$ADDR/v2/" || { echo "local-mirror.sh: registry not ready after 10s; see $LOG" >&2; exit 1; }
  echo "mirror started (pid $(cat "$PIDFILE")) at http://$ADDR, data in $DIR"
fi

# The fixture images (cached after the first build).
ARGS=(); [[ $NGINX == 1 ]] && ARGS=(--nginx)
ENVOUT=$(bash "$ROOT_DIR/test/fixtures/build-images.sh" "${ARGS[@]}")
eval "$(grep -E '^KCTL_FIXTURE_(BUSYBOX|NGINX)=' <<<"$ENVOUT")"

push() {
  local src=$1 repo=$2
  if curl -sf -o /dev/null --max-time 5 -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$ADDR/v2/$repo/manifests/latest"; then
    echo "library image $repo already in the mirror"
    return
  fi
  skopeo copy --quiet --dest-tls-verify=false "oci:$src" "docker://$ADDR/$repo:latest"
  echo "pushed $repo:latest"
}
push "$KCTL_FIXTURE_BUSYBOX" library/busybox
if [[ $NGINX == 1 ]]; then
  [[ -n ${KCTL_FIXTURE_NGINX:-} ]] || { echo "local-mirror.sh: build-images.sh did not build nginx" >&2; exit 1; }
  push "$KCTL_FIXTURE_NGINX" library/nginx
fi

# Point kctl at the mirror (merging into daemon.json).
if [[ -n ${KCTL_ROOT:-} ]]; then KROOT=$KCTL_ROOT
elif [[ $(id -u) == 0 ]]; then KROOT=/var/lib/kctl
else KROOT=${XDG_DATA_HOME:-$HOME/.local/share}/kctl
fi
mkdir -p "$KROOT"
MIRROR_URL="http://$ADDR" node - "$KROOT/daemon.json" <<'JS'
const fs = require('node:fs');
const file = process.argv[2];
let cfg = {};
try { cfg = JSON.parse(fs.readFileSync(file, 'utf8')); } catch (e) { if (e.code !== 'ENOENT') { console.error(`local-mirror.sh: ${file}: ${e.message}`); process.exit(1); } }
const url = process.env.MIRROR_URL;
const mirrors = Array.isArray(cfg['registry-mirrors']) ? cfg['registry-mirrors'] : [];
if (mirrors.some((m) => String(m).replace(/\/+$/, '') === url)) {
  console.log(`${file} already lists ${url} in registry-mirrors`);
} else {
  cfg['registry-mirrors'] = [...mirrors, url];
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(cfg, null, 2) + '\n', { mode: 0o644 });
  fs.renameSync(tmp, file);
  console.log(`added ${url} to registry-mirrors in ${file}`);
}
JS
# A running daemon re-reads daemon.json on SIGHUP, as dockerd does.
if [[ -f $KROOT/kctld.pid ]]; then
  kpid=$(cat "$KROOT/kctld.pid")
  if [[ $kpid =~ ^[0-9]+$ ]] && grep -q kctld "/proc/$kpid/cmdline" 2>/dev/null; then
    kill -HUP "$kpid" && echo "told kctld (pid $kpid) to reload $KROOT/daemon.json"
  fi
fi
