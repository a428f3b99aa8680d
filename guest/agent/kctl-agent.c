/*
 * kctl-agent: PID 1 of every kctl microVM.
 *
 * It mounts the guest's pseudo filesystems, opens the virtio-serial port named "kctl.agent" and speaks
 * the protocol in PROTOCOL.md with the host: it starts the container's process in fresh mount, PID,
 * UTS and IPC namespaces inside the virtio-fs share, runs further processes in the same namespaces,
 * relays their stdio with bounded buffers and credit-based back-pressure, forwards signals and window
 * sizes, and reports exit statuses. Everything the host sends is validated; a malformed frame gets an
 * ERROR and the connection is ignored until the host reconnects. PID 1 never exits: it powers the VM
 * off on SHUTDOWN.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"
#include "spawn.h"

#define AGENT_VERSION "0.1.0"
#define PORT_NAME "kctl.agent"
#define ROOTFS_DIR "/run/kctl/rootfs"
#define ROOTSHARE_DIR "/run/kctl/rootshare" /* the share while its ROOTFS_SUBDIR is bound to ROOTFS_DIR */
#define MAX_PROCS 64
#define OUT_WINDOW (256u * 1024u) /* per process: output bytes queued or unacknowledged */
#define IN_WINDOW (256u * 1024u)  /* per process: stdin bytes buffered in the agent */
#define CTL_QUEUE_MAX (1024u * 1024u)
#define DRAIN_MS 2000

enum pstate { P_FREE, P_STARTING, P_RUNNING, P_EXITED, P_DONE };

struct proc {
  enum pstate state;
  uint32_t id;
  pid_t pid;
  int is_init, tty;
  int in_fd, out_fd, err_fd, setup_fd; /* -1 when closed; out_fd is the pty master with a tty */
  uint8_t *inbuf;
  size_t inlen;
  int in_close_pending;
  size_t inflight;
  uint32_t code, sig;
  long long deadline;
};

struct oframe {
  struct oframe *next;
  uint8_t type;
  uint32_t id;
  size_t len, off;
  uint8_t data[];
};

static struct proc procs[MAX_PROCS];
static struct oframe *oq_head, *oq_tail;
static size_t oq_ctl_bytes;
static int chan = -1, connected, acked, poisoned;
static struct kp_dec dec;
static int rootfs_mounted, container_over;
static pid_t init_pid;
static int own_pidns = -1;

static void logmsg(const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if (n > (int)sizeof buf - 2) n = sizeof buf - 2;
  buf[n++] = '\n';
  (void)!write(2, "kctl-agent: ", 12);
  (void)!write(2, buf, n);
}

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The value in kB of meminfo's line `key` (with its colon), or -1 when the line is missing. */
static long meminfo_kb(const char *text, const char *key) {
  size_t k = strlen(key);
  for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
    if (strncmp(p, key, k) == 0) return strtol(p + k, NULL, 10);
  }
  return -1;
}

/*
 * Whether the guest still holds file data that has not gone to the host. Writes to virtio-fs go
 * through to virtiofsd as they are made (no writeback cache is negotiated), so normally none is held:
 * only pages written through a shared mapping (mmap) can still be dirty. The per-CPU counters are
 * folded first (vm/stat_refresh), so that a few dirty pages are not hidden in them; anything that
 * cannot be read counts as dirty.
 */
static int guest_holds_dirty_data(void) {
  int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY | O_CLOEXEC);
  if (fd < 0) return 1;
  int ok = write(fd, "1", 1) == 1;
  close(fd);
  if (!ok) return 1;
  char buf[4096];
  fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 1;
  buf[n] = 0;
  long dirty = meminfo_kb(buf, "Dirty:"), wb = meminfo_kb(buf, "Writeback:"), wbtmp = meminfo_kb(buf, "WritebackTmp:");
  return dirty != 0 || wb != 0 || wbtmp != 0;
}

/*
 * Before the VM goes away, what the guest holds for the host must reach virtiofsd. sync() does
 * that, but on virtio-fs it also sends FUSE_SYNCFS, and virtiofsd answers with syncfs() on the host
 * filesystem under the share: every container's exit would wait for the host to write all its
 * dirty pages to disk (exit to power-off measured at 16 ms with nothing dirty on the host and 103 ms
 * with 300 MiB dirty, growing with what the host has to write), which Docker does not do either.
 * So sync() runs only when something is still dirty.
 */
static void flush_for_host(void) {
  if (guest_holds_dirty_data()) sync();
}

static void power_off(void) {
  flush_for_host();
  /* With QEMU's -no-reboot a restart request ends the VM; microvm without ACPI cannot power off. */
  reboot(RB_AUTOBOOT);
  reboot(RB_POWER_OFF);
  for (;;) pause();
}

/* ---- outgoing frames ---- */

static int is_data(uint8_t t) { return t == KP_STDOUT || t == KP_STDERR; }

static struct oframe *frame_new(uint8_t type, uint32_t id, const void *p, size_t n) {
  struct oframe *f = malloc(sizeof *f + KP_HDR + n);
  if (!f) return NULL;
  f->next = NULL; f->type = type; f->id = id; f->len = KP_HDR + n; f->off = 0;
  kp_put32(f->data, (uint32_t)(n + KP_HDR - 4));
  f->data[4] = type;
  kp_put32(f->data + 5, id);
  if (n) memcpy(f->data + KP_HDR, p, n);
  return f;
}

static void send_frame(uint8_t type, uint32_t id, const void *p, size_t n) {
  struct oframe *f = frame_new(type, id, p, n);
  if (!f) { logmsg("out of memory queueing frame %u", type); return; }
  if (!is_data(type)) oq_ctl_bytes += f->len;
  if (oq_tail) oq_tail->next = f; else oq_head = f;
  oq_tail = f;
}

static void send_error(uint32_t id, int fatal, const char *msg) {
  uint8_t buf[1 + 1024];
  size_t n = strnlen(msg, 1024);
  buf[0] = (uint8_t)fatal;
  memcpy(buf + 1, msg, n);
  send_frame(KP_ERROR, id, buf, 1 + n);
}

static void send_u32(uint8_t type, uint32_t id, uint32_t v) {
  uint8_t b[4];
  kp_put32(b, v);
  send_frame(type, id, b, 4);
}

static void send_start_failed(uint32_t id, int kind, int err, const char *msg) {
  uint8_t buf[5 + 1024];
  size_t n = strnlen(msg, 1024);
  buf[0] = (uint8_t)kind;
  kp_put32(buf + 1, (uint32_t)err);
  memcpy(buf + 5, msg, n);
  send_frame(KP_START_FAILED, id, buf, 5 + n);
}

static size_t tlv_str(uint8_t *p, uint16_t tag, const char *s) {
  size_t n = strlen(s);
  kp_put16(p, tag); kp_put32(p + 2, (uint32_t)n); memcpy(p + 6, s, n);
  return 6 + n;
}
static size_t tlv_u32(uint8_t *p, uint16_t tag, uint32_t v) {
  kp_put16(p, tag); kp_put32(p + 2, 4); kp_put32(p + 6, v);
  return 10;
}
static size_t tlv_u64(uint8_t *p, uint16_t tag, uint64_t v) {
  kp_put16(p, tag); kp_put32(p + 2, 8); kp_put32(p + 6, (uint32_t)(v >> 32)); kp_put32(p + 10, (uint32_t)v);
  return 14;
}

static long long boot_ms = -1;

static void send_hello(uint32_t nprocs) {
  uint8_t buf[1024];
  struct utsname u;
  struct sysinfo si;
  size_t n = 0;
  memcpy(buf, "KCTL", 4); n = 4;
  kp_put16(buf + n, KP_VERSION); n += 2;
  n += tlv_str(buf + n, KT_AGENT_VERSION, AGENT_VERSION);
  if (uname(&u) == 0) n += tlv_str(buf + n, KT_KERNEL_RELEASE, u.release);
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  n += tlv_u32(buf + n, KT_VCPUS, cpus > 0 ? (uint32_t)cpus : 1);
  if (sysinfo(&si) == 0) n += tlv_u64(buf + n, KT_MEM_KIB, (uint64_t)si.totalram * si.mem_unit / 1024);
  if (boot_ms >= 0) n += tlv_u64(buf + n, KT_BOOT_MS, (uint64_t)boot_ms);
  n += tlv_u32(buf + n, KT_PROCS, nprocs);
  send_frame(KP_HELLO, 0, buf, n);
}

static void send_proc_state(struct proc *p) {
  uint8_t b[18];
  kp_put32(b, (uint32_t)p->pid);
  b[4] = p->state == P_DONE ? 2 : 1;
  kp_put32(b + 5, p->code);
  kp_put32(b + 9, p->sig);
  kp_put32(b + 13, (uint32_t)p->inlen);
  b[17] = (uint8_t)p->tty;
  send_frame(KP_PROC_STATE, p->id, b, sizeof b);
}

static struct proc *find_proc(uint32_t id) {
  for (int i = 0; i < MAX_PROCS; i++)
    if (procs[i].state != P_FREE && procs[i].id == id) return &procs[i];
  return NULL;
}

/*
 * Discards host data still buffered in the port: it was sent by a host that has gone (it can arrive
 * together with the hang-up). A new host sends nothing before it has our HELLO.
 */
static void drain_stale_input(void) {
  static uint8_t junk[4096];
  for (int i = 0; i < 1024; i++)
    if (read(chan, junk, sizeof junk) <= 0) break;
}

/* The host (re)connected: the new connection starts with HELLO and the state of every process. */
static void on_connect(void) {
  connected = 1; acked = 0; poisoned = 0;
  drain_stale_input();
  kp_dec_reset(&dec);
  struct oframe *keep = NULL, *kt = NULL, *f = oq_head;
  if (f && f->off > 0) { /* half-written to the previous host */
    oq_head = f->next;
    if (!is_data(f->type)) oq_ctl_bytes -= f->len;
    free(f);
    f = oq_head;
  }
  for (int i = 0; i < MAX_PROCS; i++) procs[i].inflight = 0;
  while (f) {
    struct oframe *next = f->next;
    if (is_data(f->type)) {
      struct proc *p = find_proc(f->id);
      if (p) p->inflight += f->len - KP_HDR;
      f->next = NULL;
      if (kt) kt->next = f; else keep = f;
      kt = f;
    } else {
      oq_ctl_bytes -= f->len;
      free(f);
    }
    f = next;
  }
  oq_head = oq_tail = NULL;
  uint32_t n = 0;
  for (int i = 0; i < MAX_PROCS; i++)
    if (procs[i].state >= P_RUNNING) n++;
  send_hello(n);
  for (int i = 0; i < MAX_PROCS; i++)
    if (procs[i].state >= P_RUNNING) send_proc_state(&procs[i]);
  if (keep) { oq_tail->next = keep; oq_tail = kt; }
}

static void protocol_error(const char *msg) {
  logmsg("protocol error: %s", msg);
  send_error(0, 1, msg);
  poisoned = 1; /* ignore the rest of this connection */
}

/* ---- processes ---- */

static void close_fd(int *fd) {
  if (*fd >= 0) { close(*fd); *fd = -1; }
}

static void proc_free(struct proc *p) {
  close_fd(&p->in_fd); close_fd(&p->out_fd); close_fd(&p->err_fd); close_fd(&p->setup_fd);
  free(p->inbuf);
  memset(p, 0, sizeof *p);
  p->in_fd = p->out_fd = p->err_fd = p->setup_fd = -1;
  p->state = P_FREE;
}

/*
 * Mounts the container root at ROOTFS_DIR: the virtio-fs share itself, or with ROOTFS_SUBDIR (a VM
 * booted before its container, from kctld's pool) one directory of it, bound into place; the share
 * is then detached so nothing else of it stays reachable.
 */
static int mount_rootfs(const char *tag, const char *subdir, char *err, size_t errlen) {
  if (rootfs_mounted) return 0;
  mkdir("/run", 0755); mkdir("/run/kctl", 0700); mkdir(ROOTFS_DIR, 0755);
  const char *at = subdir ? ROOTSHARE_DIR : ROOTFS_DIR;
  if (subdir) mkdir(ROOTSHARE_DIR, 0700);
  if (mount(tag, at, "virtiofs", MS_NOSUID | MS_NODEV, NULL) < 0) {
    snprintf(err, errlen, "mount the virtio-fs share \"%s\": %s", tag, strerror(errno));
    return -1;
  }
  if (subdir) {
    /* The parser allows one component without "." or ".."; O_NOFOLLOW refuses a symlink there too. */
    int share = open(ROOTSHARE_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC);
    int fd = share < 0 ? -1 : openat(share, subdir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int e = errno;
    char src[32];
    if (fd >= 0) snprintf(src, sizeof src, "/proc/self/fd/%d", fd);
    if (fd < 0 || mount(src, ROOTFS_DIR, NULL, MS_BIND, NULL) < 0) {
      if (fd >= 0) e = errno;
      snprintf(err, errlen, "mount the container root \"%s\" of share \"%s\": %s", subdir, tag, strerror(e));
      if (fd >= 0) close(fd);
      if (share >= 0) close(share);
      umount2(ROOTSHARE_DIR, MNT_DETACH);
      errno = e;
      return -1;
    }
    close(fd);
    close(share);
    umount2(ROOTSHARE_DIR, MNT_DETACH);
  }
  rootfs_mounted = 1;
  return 0;
}

static int shares_mounted;
static int files_written; /* FILE records START wrote, the indexes UPDATE_FILE may rewrite */

/* Extra virtio-fs shares (volumes, bind mounts) at SHARES_DIR/<tag>; the child binds them into place. */
static int mount_shares(const struct kp_spec *s, char *err, size_t errlen) {
  if (shares_mounted) return 0;
  mkdir(SHARES_DIR, 0700);
  for (int i = 0; i < s->nmounts; i++) {
    const struct kp_mount *m = &s->mounts[i];
    if (m->type != KM_SHARE) continue;
    char dir[sizeof SHARES_DIR + KP_MAX_TAG + 2];
    snprintf(dir, sizeof dir, SHARES_DIR "/%s", m->source);
    if (mkdir(dir, 0755) < 0) {
      if (errno == EEXIST) continue; /* the same share at two targets */
      snprintf(err, errlen, "create %s: %s", dir, strerror(errno));
      return -1;
    }
    if (mount(m->source, dir, "virtiofs", MS_NOSUID | MS_NODEV | (m->readonly ? MS_RDONLY : 0), NULL) < 0) {
      snprintf(err, errlen, "mount the virtio-fs share \"%s\": %s", m->source, strerror(errno));
      return -1;
    }
  }
  mkdir(FILES_DIR, 0700);
  for (int i = 0; i < s->nfiles; i++) {
    char path[64];
    snprintf(path, sizeof path, FILES_DIR "/%d", i);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    size_t off = 0;
    while (fd >= 0 && off < s->files[i].len) {
      ssize_t w = write(fd, s->files[i].content + off, s->files[i].len - off);
      if (w <= 0) break;
      off += (size_t)w;
    }
    if (fd < 0 || off < s->files[i].len) {
      snprintf(err, errlen, "write %s for the container: %s", s->files[i].target, strerror(errno));
      if (fd >= 0) close(fd);
      return -1;
    }
    close(fd);
  }
  files_written = s->nfiles;
  shares_mounted = 1;
  return 0;
}

static void set_sin(struct sockaddr *sa, uint32_t host_order) {
  struct sockaddr_in sin;
  memset(&sin, 0, sizeof sin);
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(host_order);
  memcpy(sa, &sin, sizeof sin);
}

static int if_up(int sk, const char *name) {
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
  if (ioctl(sk, SIOCGIFFLAGS, &ifr) < 0) return -1;
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  return ioctl(sk, SIOCSIFFLAGS, &ifr);
}

/*
 * The VM's network, shared by the container (it gets no network namespace of its own and, without
 * CAP_NET_ADMIN, cannot change any of this): lo up; with NET, eth0's address and default route, and
 * an unreachable route to each denied host (the user-mode NAT's alias for the host's loopback).
 */
static int setup_network(const struct kp_spec *s, char *err, size_t errlen) {
  static int done;
  if (done) return 0;
  int sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sk < 0) { snprintf(err, errlen, "network socket: %s", strerror(errno)); return -1; }
  const char *step = "bring lo up";
  if (if_up(sk, "lo") < 0) goto fail;
  if (s->has_net) {
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, IFNAMSIZ, "eth0");
    set_sin(&ifr.ifr_addr, s->net_addr);
    step = "set eth0's address";
    if (ioctl(sk, SIOCSIFADDR, &ifr) < 0) goto fail;
    set_sin(&ifr.ifr_netmask, s->net_prefix ? 0xffffffffu << (32 - s->net_prefix) : 0);
    step = "set eth0's netmask";
    if (ioctl(sk, SIOCSIFNETMASK, &ifr) < 0) goto fail;
    step = "bring eth0 up";
    if (if_up(sk, "eth0") < 0) goto fail;
    struct rtentry rt;
    memset(&rt, 0, sizeof rt);
    set_sin(&rt.rt_dst, 0);
    set_sin(&rt.rt_genmask, 0);
    set_sin(&rt.rt_gateway, s->net_gw);
    rt.rt_flags = RTF_UP | RTF_GATEWAY;
    rt.rt_dev = (char *)"eth0";
    step = "add the default route";
    if (ioctl(sk, SIOCADDRT, &rt) < 0) goto fail;
    for (int i = 0; i < s->ndeny; i++) {
      memset(&rt, 0, sizeof rt);
      set_sin(&rt.rt_dst, s->deny[i]);
      set_sin(&rt.rt_genmask, 0xffffffffu);
      set_sin(&rt.rt_gateway, 0);
      rt.rt_flags = RTF_UP | RTF_HOST | RTF_REJECT;
      step = "add an unreachable route";
      if (ioctl(sk, SIOCADDRT, &rt) < 0) goto fail;
    }
  }
  for (int i = 0; i < s->nnetifs; i++) {
    const struct kp_netif *ni = &s->netifs[i];
    struct ifreq ifr;
    int found = 0;
    step = "find a network interface by its MAC";
    for (int idx = 1; idx < 256 && !found; idx++) {
      memset(&ifr, 0, sizeof ifr);
      ifr.ifr_ifindex = idx;
      if (ioctl(sk, SIOCGIFNAME, &ifr) < 0) continue;
      if (ioctl(sk, SIOCGIFHWADDR, &ifr) < 0) continue;
      found = memcmp(ifr.ifr_hwaddr.sa_data, ni->mac, 6) == 0;
    }
    if (!found) { errno = ENODEV; goto fail; }
    char name[IFNAMSIZ];
    snprintf(name, sizeof name, "%s", ifr.ifr_name);
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
    set_sin(&ifr.ifr_addr, ni->addr);
    step = "set a network interface's address";
    if (ioctl(sk, SIOCSIFADDR, &ifr) < 0) goto fail;
    set_sin(&ifr.ifr_netmask, 0xffffffffu << (32 - ni->prefix));
    step = "set a network interface's netmask";
    if (ioctl(sk, SIOCSIFNETMASK, &ifr) < 0) goto fail;
    step = "bring a network interface up";
    if (if_up(sk, name) < 0) goto fail;
  }
  close(sk);
  done = 1;
  return 0;
fail:
  snprintf(err, errlen, "network setup: %s: %s", step, strerror(errno));
  close(sk);
  return -1;
}

static void set_nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

static void start_process(uint32_t id, const uint8_t *payload, uint32_t len, int is_init) {
  char err[256];
  struct kp_spec spec;
  struct proc *p = NULL;
  int sv[2] = {-1, -1}, in[2] = {-1, -1}, out[2] = {-1, -1}, errp[2] = {-1, -1};
  int nsfd[4] = {-1, -1, -1, -1};

  if (find_proc(id)) { send_start_failed(id, KF_INVALID, 0, "process id already in use"); return; }
  if (kp_parse_spec(payload, len, is_init, &spec, err, sizeof err) < 0) {
    send_start_failed(id, KF_INVALID, 0, err);
    return;
  }
  if (is_init && (init_pid || container_over)) { send_start_failed(id, KF_INVALID, 0, "the container was already started"); goto out; }
  struct proc *initp = find_proc(1);
  if (!is_init && (!init_pid || container_over || !initp || initp->state != P_RUNNING)) { send_start_failed(id, KF_NOT_RUNNING, 0, "the container is not running"); goto out; }
  for (int i = 0; i < MAX_PROCS; i++)
    if (procs[i].state == P_FREE) { p = &procs[i]; break; }
  if (!p) { send_start_failed(id, KF_FAILED, EAGAIN, "too many processes in this VM"); goto out; }
  if (is_init && (mount_rootfs(spec.rootfs_tag, spec.rootfs_subdir, err, sizeof err) < 0 || mount_shares(&spec, err, sizeof err) < 0 ||
                  setup_network(&spec, err, sizeof err) < 0)) {
    send_start_failed(id, KF_FAILED, errno, err);
    goto out;
  }
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) goto syserr;
  if (!spec.tty) {
    if (spec.open_stdin && pipe2(in, O_CLOEXEC) < 0) goto syserr;
    if (pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) goto syserr;
  }
  if (!is_init) {
    static const char *names[4] = {"ipc", "uts", "mnt", "pid"};
    for (int i = 0; i < 4; i++) {
      char path[64];
      snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)init_pid, names[i]);
      if ((nsfd[i] = open(path, O_RDONLY | O_CLOEXEC)) < 0) goto syserr;
    }
  }
  struct child_args ca = {
    .spec = &spec, .sock = sv[1], .in = in[0], .out = out[1], .err = errp[1], .is_init = is_init,
    .rootfs = ROOTFS_DIR, .ns_ipc = nsfd[0], .ns_uts = nsfd[1], .ns_mnt = nsfd[2],
  };
  pid_t pid;
  if (is_init) {
    pid = (pid_t)syscall(SYS_clone, CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | SIGCHLD, 0, 0, 0, 0);
  } else {
    /* Joining a PID namespace applies to children: enter it, fork, and return to ours. */
    if (setns(nsfd[3], CLONE_NEWPID) < 0) goto syserr;
    pid = fork();
    if (pid != 0 && setns(own_pidns, CLONE_NEWPID) < 0) logmsg("cannot return to the agent's PID namespace: %s", strerror(errno));
  }
  if (pid < 0) goto syserr;
  if (pid == 0) child_main(&ca); /* never returns */

  close(sv[1]); sv[1] = -1;
  close_fd(&in[0]); close_fd(&out[1]); close_fd(&errp[1]);
  p->state = P_STARTING;
  p->id = id; p->pid = pid; p->is_init = is_init; p->tty = spec.tty;
  p->setup_fd = sv[0];
  p->in_fd = in[1]; p->out_fd = out[0]; p->err_fd = errp[0];
  p->inbuf = NULL; p->inlen = 0; p->inflight = 0;
  set_nonblock(p->setup_fd);
  if (p->in_fd >= 0) set_nonblock(p->in_fd);
  if (p->out_fd >= 0) set_nonblock(p->out_fd);
  if (p->err_fd >= 0) set_nonblock(p->err_fd);
  if (is_init) init_pid = pid;
  for (int i = 0; i < 4; i++) close_fd(&nsfd[i]);
  kp_spec_free(&spec);
  return;
syserr:
  snprintf(err, sizeof err, "cannot create the process: %s", strerror(errno));
  send_start_failed(id, KF_FAILED, errno, err);
  for (int i = 0; i < 2; i++) { close_fd(&sv[i]); close_fd(&in[i]); close_fd(&out[i]); close_fd(&errp[i]); }
  for (int i = 0; i < 4; i++) close_fd(&nsfd[i]);
out:
  kp_spec_free(&spec);
}

/* Reads the child's setup report: a pty master (with a tty), an error, or EOF once execve succeeded. */
static void handle_setup(struct proc *p) {
  for (;;) {
    struct setup_msg m;
    char cbuf[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {&m, sizeof m};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
    ssize_t n = recvmsg(p->setup_fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) { /* execve closed the socket: the process runs */
      close_fd(&p->setup_fd);
      if (p->state == P_STARTING) {
        p->state = P_RUNNING;
        send_u32(KP_STARTED, p->id, (uint32_t)p->pid);
      }
      return;
    }
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int fd;
      memcpy(&fd, CMSG_DATA(c), sizeof fd);
      if (p->out_fd < 0 && p->tty) { p->out_fd = fd; set_nonblock(fd); }
      else close(fd);
      continue;
    }
    if ((size_t)n == sizeof m && m.kind != 0) {
      m.msg[sizeof m.msg - 1] = 0;
      send_start_failed(p->id, m.kind, m.err, m.msg);
      p->state = P_EXITED; /* reaped silently, never reported as started */
      if (p->is_init) init_pid = 0; /* the container never started: START may be retried */
      close_fd(&p->setup_fd);
      close_fd(&p->in_fd); close_fd(&p->out_fd); close_fd(&p->err_fd);
      p->id = 0;
      return;
    }
  }
}

static void finish_exit(struct proc *p) {
  uint8_t b[8];
  close_fd(&p->in_fd); close_fd(&p->out_fd); close_fd(&p->err_fd);
  free(p->inbuf); p->inbuf = NULL; p->inlen = 0;
  kp_put32(b, p->code); kp_put32(b + 4, p->sig);
  send_frame(KP_EXIT, p->id, b, 8);
  p->state = P_DONE;
}

static void reap(void) {
  for (;;) {
    int st;
    pid_t pid = waitpid(-1, &st, WNOHANG);
    if (pid <= 0) return;
    struct proc *p = NULL;
    for (int i = 0; i < MAX_PROCS; i++)
      if (procs[i].state != P_FREE && procs[i].state != P_DONE && procs[i].pid == pid) p = &procs[i];
    if (pid == init_pid) container_over = 1;
    if (!p) continue;
    if (p->setup_fd >= 0) handle_setup(p);
    if (p->id == 0) { proc_free(p); continue; } /* failed before execve, already reported */
    if (p->state == P_STARTING) { p->state = P_RUNNING; send_u32(KP_STARTED, p->id, (uint32_t)pid); }
    if (WIFEXITED(st)) { p->code = (uint32_t)WEXITSTATUS(st); p->sig = 0; }
    else { p->sig = (uint32_t)WTERMSIG(st); p->code = 128 + p->sig; }
    p->state = P_EXITED;
    p->deadline = now_ms() + DRAIN_MS;
    close_fd(&p->in_fd);
  }
}

static void pump_output(struct proc *p, int *fdp, uint8_t type) {
  static uint8_t buf[65536];
  for (int round = 0; round < 4 && *fdp >= 0; round++) {
    size_t room = OUT_WINDOW > p->inflight ? OUT_WINDOW - p->inflight : 0;
    if (room == 0) return;
    if (room > sizeof buf) room = sizeof buf;
    ssize_t n = read(*fdp, buf, room);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) { close_fd(fdp); return; } /* EOF; EIO on a pty master once the terminal is gone */
    send_frame(type, p->id, buf, (size_t)n);
    p->inflight += (size_t)n;
    if (p->state == P_EXITED) p->deadline = now_ms() + DRAIN_MS;
    if ((size_t)n < room) return; /* drained for now */
  }
}

static void pump_stdin(struct proc *p) {
  int fd = p->tty ? p->out_fd : p->in_fd;
  if (fd < 0) { p->inlen = 0; return; }
  if (p->inlen > 0) {
    ssize_t n = write(fd, p->inbuf, p->inlen);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n < 0) { /* EPIPE: the reader is gone; give the host its window back */
      if (connected) send_u32(KP_CREDIT, p->id, (uint32_t)p->inlen);
      p->inlen = 0;
      close_fd(&p->in_fd);
      return;
    }
    memmove(p->inbuf, p->inbuf + n, p->inlen - (size_t)n);
    p->inlen -= (size_t)n;
    if (connected) send_u32(KP_CREDIT, p->id, (uint32_t)n);
  }
  if (p->inlen == 0 && p->in_close_pending) {
    if (p->tty) { static const uint8_t eot = 4; (void)!write(fd, &eot, 1); p->in_close_pending = 0; }
    else close_fd(&p->in_fd);
  }
}

static void do_shutdown(void) {
  logmsg("shutdown requested");
  kill(-1, SIGKILL);
  long long end = now_ms() + 2000;
  while (now_ms() < end && waitpid(-1, NULL, WNOHANG) >= 0) usleep(5000);
  flush_for_host();
  if (rootfs_mounted) umount2(ROOTFS_DIR, MNT_DETACH);
  power_off();
}

/* ------------------------------------------------------------------ QUERY (stats, top) */

#define QUERY_MAX_BODY (512u * 1024u)

/* Reads up to cap-1 bytes of a small /proc file; returns the length (0 on failure). */
static size_t read_small(const char *path, char *buf, size_t cap) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  size_t n = 0;
  for (;;) {
    ssize_t r = read(fd, buf + n, cap - 1 - n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    n += (size_t)r;
    if (n >= cap - 1) break;
  }
  close(fd);
  buf[n] = 0;
  return n;
}

/* Whether pid runs in the container's PID namespace (that of init_pid). */
static int in_container(const char *pid, const char *init_ns) {
  char path[300], ns[64];
  snprintf(path, sizeof path, "/proc/%s/ns/pid", pid);
  ssize_t n = readlink(path, ns, sizeof ns - 1);
  if (n <= 0) return 0;
  ns[n] = 0;
  return !strcmp(ns, init_ns);
}

static int init_ns_name(char *out, size_t cap) {
  if (!init_pid || container_over) return -1;
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/ns/pid", (int)init_pid);
  ssize_t n = readlink(path, out, cap - 1);
  if (n <= 0) return -1;
  out[n] = 0;
  return 0;
}

static void put(uint8_t *body, size_t *len, const void *p, size_t n) {
  memcpy(body + *len, p, n);
  *len += n;
}

/* STATS: /proc/stat, /proc/meminfo and "pids N" as text. */
static size_t query_stats(uint8_t *body) {
  static char buf[65536];
  size_t len = 0, n;
  n = read_small("/proc/stat", buf, sizeof buf); put(body, &len, buf, n);
  n = read_small("/proc/meminfo", buf, sizeof buf); put(body, &len, buf, n);
  char ns[64];
  unsigned pids = 0;
  if (init_ns_name(ns, sizeof ns) == 0) {
    DIR *d = opendir("/proc");
    struct dirent *de;
    while (d && (de = readdir(d)))
      if (de->d_name[0] >= '1' && de->d_name[0] <= '9' && in_container(de->d_name, ns)) pids++;
    if (d) closedir(d);
  }
  n = (size_t)snprintf(buf, sizeof buf, "pids %u\n", pids);
  put(body, &len, buf, n);
  return len;
}

/*
 * PROCS: u32 clock ticks per second, u64 uptime in ms, then per process of the container: u32 pid
 * (in the VM), u32 pid in the container, u32 uid, u16 length + /proc/<pid>/stat, u16 length +
 * cmdline (NULs as spaces, at most 4 KiB).
 */
static size_t query_procs(uint8_t *body) {
  size_t len = 0;
  uint8_t b[8];
  kp_put32(b, (uint32_t)sysconf(_SC_CLK_TCK)); put(body, &len, b, 4);
  struct timespec ts;
  clock_gettime(CLOCK_BOOTTIME, &ts);
  uint64_t up = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
  kp_put32(b, (uint32_t)(up >> 32)); kp_put32(b + 4, (uint32_t)up); put(body, &len, b, 8);
  char ns[64];
  if (init_ns_name(ns, sizeof ns) < 0) return len;
  DIR *d = opendir("/proc");
  if (!d) return len;
  static char stat[4096], status[8192], cmd[4096];
  struct dirent *de;
  while ((de = readdir(d))) {
    if (de->d_name[0] < '1' || de->d_name[0] > '9' || !in_container(de->d_name, ns)) continue;
    char path[300];
    snprintf(path, sizeof path, "/proc/%s/stat", de->d_name);
    size_t sl = read_small(path, stat, sizeof stat);
    if (!sl) continue;
    snprintf(path, sizeof path, "/proc/%s/status", de->d_name);
    read_small(path, status, sizeof status);
    unsigned uid = 0, nspid = 0;
    char *u = strstr(status, "\nUid:");
    if (u) sscanf(u + 5, "%u", &uid);
    char *nsl = strstr(status, "\nNSpid:");
    if (nsl) {
      char *end = strchr(nsl + 1, '\n');
      if (end) *end = 0;
      char *last = strrchr(nsl + 7, '\t');
      if (!last) last = strrchr(nsl + 7, ' ');
      if (last) sscanf(last + 1, "%u", &nspid);
    }
    snprintf(path, sizeof path, "/proc/%s/cmdline", de->d_name);
    size_t cl = read_small(path, cmd, sizeof cmd);
    while (cl && cmd[cl - 1] == 0) cl--;
    for (size_t i = 0; i < cl; i++) if (!cmd[i]) cmd[i] = ' ';
    if (len + 12 + 4 + sl + cl > QUERY_MAX_BODY) break;
    kp_put32(b, (uint32_t)atoi(de->d_name)); put(body, &len, b, 4);
    kp_put32(b, nspid); put(body, &len, b, 4);
    kp_put32(b, uid); put(body, &len, b, 4);
    kp_put16(b, (uint16_t)sl); put(body, &len, b, 2); put(body, &len, stat, sl);
    kp_put16(b, (uint16_t)cl); put(body, &len, b, 2); put(body, &len, cmd, cl);
  }
  closedir(d);
  return len;
}

static void answer_query(const struct kp_frame *f) {
  static uint8_t body[2 + KP_MAX_PING + QUERY_MAX_BODY + 4096];
  size_t tok = f->len - 1, len = 0;
  body[len++] = f->payload[0];
  body[len++] = (uint8_t)tok;
  memcpy(body + len, f->payload + 1, tok);
  len += tok;
  len += f->payload[0] == KQ_STATS ? query_stats(body + len) : query_procs(body + len);
  send_frame(KP_QUERY_REPLY, 0, body, len);
}

/*
 * UPDATE_FILE: new content for a file START bound over the image's (kctl rewrites /etc/hosts when
 * containers on a shared network come and go). The file is rewritten in place, so the container's
 * bind mount of it sees the change; an index START did not use is an error, not a new file.
 */
static void update_file(const struct kp_frame *f) {
  unsigned idx = f->payload[0];
  if (!shares_mounted || (int)idx >= files_written) { send_error(0, 0, "UPDATE_FILE: no such file"); return; }
  char path[64];
  snprintf(path, sizeof path, FILES_DIR "/%u", idx);
  int fd = open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
  size_t off = 0, len = f->len - 1;
  while (fd >= 0 && off < len) {
    ssize_t w = write(fd, f->payload + 1 + off, len - off);
    if (w <= 0) break;
    off += (size_t)w;
  }
  if (fd < 0 || off < len) send_error(0, 0, strerror(errno));
  if (fd >= 0) close(fd);
}

static void handle_frame(const struct kp_frame *f) {
  char err[256];
  if (kp_validate_host_frame(f, err, sizeof err) < 0) { protocol_error(err); return; }
  if (!acked) {
    if (f->type != KP_HELLO_ACK) { protocol_error("the first frame must be HELLO_ACK"); return; }
    uint16_t v = kp_get16(f->payload);
    if (v != KP_VERSION) {
      snprintf(err, sizeof err, "the host speaks protocol version %u, this agent speaks %u", v, KP_VERSION);
      protocol_error(err);
      return;
    }
    acked = 1;
    return;
  }
  struct proc *p = find_proc(f->id);
  switch (f->type) {
  case KP_HELLO_ACK: protocol_error("duplicate HELLO_ACK"); return;
  case KP_START: start_process(f->id, f->payload, f->len, 1); return;
  case KP_EXEC: start_process(f->id, f->payload, f->len, 0); return;
  case KP_STDIN:
    if (!p || p->state >= P_EXITED || (p->in_fd < 0 && !p->tty) || p->in_close_pending) return; /* racing an exit */
    if (f->len > IN_WINDOW - p->inlen) { protocol_error("stdin data beyond the granted window"); return; }
    if (!p->inbuf && !(p->inbuf = malloc(IN_WINDOW))) { protocol_error("out of memory"); return; }
    memcpy(p->inbuf + p->inlen, f->payload, f->len);
    p->inlen += f->len;
    return;
  case KP_STDIN_CLOSE:
    if (p && p->state < P_EXITED) p->in_close_pending = 1;
    return;
  case KP_CREDIT: {
    uint32_t n = kp_get32(f->payload);
    if (p) p->inflight = n > p->inflight ? 0 : p->inflight - n;
    return;
  }
  case KP_SIGNAL:
    if (p && (p->state == P_STARTING || p->state == P_RUNNING))
      if (kill(p->pid, (int)kp_get32(f->payload)) < 0) send_error(f->id, 0, strerror(errno));
    return;
  case KP_RESIZE:
    if (p && p->tty && p->out_fd >= 0) {
      struct winsize ws = {.ws_row = kp_get16(f->payload), .ws_col = kp_get16(f->payload + 2)};
      ioctl(p->out_fd, TIOCSWINSZ, &ws);
    }
    return;
  case KP_EXIT_ACK:
    if (p && p->state == P_DONE) proc_free(p);
    return;
  case KP_SHUTDOWN: do_shutdown(); return;
  case KP_PING: send_frame(KP_PONG, f->id, f->payload, f->len); return;
  case KP_QUERY: answer_query(f); return;
  case KP_UPDATE_FILE: update_file(f); return;
  default: protocol_error("unexpected frame"); return;
  }
}

static void read_channel(void) {
  static uint8_t buf[65536];
  ssize_t n = read(chan, buf, sizeof buf);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) { connected = 0; return; }
  size_t pos = 0;
  while (pos < (size_t)n && !poisoned) {
    struct kp_frame f;
    size_t used;
    char err[128];
    int r = kp_dec_feed(&dec, buf + pos, (size_t)n - pos, &used, &f, err, sizeof err);
    pos += used;
    if (r < 0) { protocol_error(err); return; }
    if (r == 0) break;
    handle_frame(&f);
  }
}

/*
 * Writes queued frames, several per write(): the port driver copies at most 32 KiB per call and each
 * call costs the VM an exit to the host, so small frames are gathered into one buffer.
 */
static void write_channel(void) {
  static uint8_t stage[32 * 1024];
  while (oq_head) {
    size_t len = 0;
    for (struct oframe *f = oq_head; f && len < sizeof stage; f = f->next) {
      size_t take = f->len - f->off;
      if (take > sizeof stage - len) take = sizeof stage - len;
      memcpy(stage + len, f->data + f->off, take);
      len += take;
    }
    ssize_t n = write(chan, stage, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return; /* EAGAIN: the host is slow or gone */
    size_t done = (size_t)n;
    while (done > 0 && oq_head) {
      struct oframe *f = oq_head;
      size_t take = f->len - f->off < done ? f->len - f->off : done;
      f->off += take;
      done -= take;
      if (f->off < f->len) break;
      oq_head = f->next;
      if (!oq_head) oq_tail = NULL;
      if (!is_data(f->type)) oq_ctl_bytes -= f->len;
      free(f);
    }
    if ((size_t)n < len) return;
  }
}

/* ---- boot ---- */

/*
 * For kernels that build virtio-console / virtio-fs as modules (Debian's stock kernel as a fallback):
 * load /lib/kctl-modules/<name> for each line of /lib/kctl-modules/order, in order, then delete them.
 */
#define MODDIR "/lib/kctl-modules"
static void load_modules(void) {
  int fd = open(MODDIR "/order", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  static char order[16384];
  ssize_t n = read(fd, order, sizeof order - 1);
  close(fd);
  unlink(MODDIR "/order");
  if (n <= 0) return;
  order[n] = 0;
  for (char *line = order, *next; line && *line; line = next) {
    next = strchr(line, '\n');
    if (next) *next++ = 0;
    if (!*line || *line == '#') continue;
    if (strchr(line, '/') || strlen(line) > 128) { logmsg("module name \"%.40s\" refused", line); continue; }
    char path[192];
    snprintf(path, sizeof path, MODDIR "/%.128s", line);
    int mfd = open(path, O_RDONLY | O_CLOEXEC);
    if (mfd < 0) { logmsg("module %s: %s", line, strerror(errno)); continue; }
    if (syscall(SYS_finit_module, mfd, "", 0) < 0 && errno != EEXIST) logmsg("load module %s: %s", line, strerror(errno));
    close(mfd);
    unlink(path);
  }
}

static void remove_initramfs(void) {
  /* Leave nothing of the initramfs behind the container's root: the bottom mount stays empty. */
  unlink("/init");
  unlink("/dev/console");
  static const char *dirs[] = {"/dev", "/proc", "/sys", "/run", "/tmp", "/lib/kctl-modules", "/lib", NULL};
  for (int i = 0; dirs[i]; i++) rmdir(dirs[i]);
}

static void early_mounts(void) {
  mkdir("/.kctl", 0700);
  if (mount("agent", "/.kctl", "tmpfs", MS_NOSUID, "mode=0755,size=1m") == 0) {
    remove_initramfs();
    if (chdir("/.kctl") == 0 && mount(".", "/", NULL, MS_MOVE, NULL) == 0 && chroot(".") == 0) (void)!chdir("/");
    else logmsg("cannot move the agent root: %s", strerror(errno));
  } else {
    logmsg("cannot mount the agent tmpfs: %s", strerror(errno));
  }
  mkdir("/dev", 0755); mkdir("/proc", 0555); mkdir("/sys", 0555); mkdir("/run", 0755);
  if (mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755") < 0) logmsg("mount /dev: %s", strerror(errno));
  if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) logmsg("mount /proc: %s", strerror(errno));
  if (mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) logmsg("mount /sys: %s", strerror(errno));
}

static int open_port(void) {
  long long end = now_ms() + 10000;
  while (now_ms() < end) {
    DIR *d = opendir("/sys/class/virtio-ports");
    struct dirent *e;
    while (d && (e = readdir(d))) {
      if (e->d_name[0] == '.' || strlen(e->d_name) > 64) continue;
      char path[320], name[64] = {0};
      snprintf(path, sizeof path, "/sys/class/virtio-ports/%s/name", e->d_name);
      int fd = open(path, O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;
      ssize_t n = read(fd, name, sizeof name - 1);
      close(fd);
      if (n > 0 && name[n - 1] == '\n') name[n - 1] = 0;
      if (n > 0 && strcmp(name, PORT_NAME) == 0) {
        snprintf(path, sizeof path, "/dev/%s", e->d_name);
        fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd >= 0) { closedir(d); return fd; }
      }
    }
    if (d) closedir(d);
    usleep(10000);
  }
  return -1;
}

static void read_boot_ms(void) {
  int fd = open("/proc/uptime", O_RDONLY | O_CLOEXEC);
  char b[64] = {0};
  if (fd < 0) return;
  ssize_t n = read(fd, b, sizeof b - 1);
  close(fd);
  if (n <= 0) return;
  unsigned long s = 0, cs = 0;
  if (sscanf(b, "%lu.%2lu", &s, &cs) == 2) boot_ms = (long long)s * 1000 + (long long)cs * 10;
}

/*
 * kctl.rehearse on the kernel command line (VMs of kctld's pool, which boot before their container):
 * before the first HELLO, bring lo up and run the container set-up once for nothing - new
 * namespaces, pivot_root into a small tmpfs, /proc, /sys, /dev, the masks, the user lookup, execve
 * of a copy of this agent that exits at once - so that under TCG the guest code of that path is
 * already translated when the real START comes.
 */
/* argv[1] of the program a rehearsal runs: this agent, which then exits 0 at once. */
#define REHEARSAL_ARG "--kctl-rehearsal-exit"

/* Copies a small file (best effort: a rehearsal without it still rehearses the set-up). */
static void copy_file(const char *from, const char *to, mode_t mode) {
  int in = open(from, O_RDONLY | O_CLOEXEC);
  int out = in < 0 ? -1 : open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  char buf[16384];
  ssize_t n;
  while (out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
    if (write(out, buf, (size_t)n) != n) break;
  if (in >= 0) close(in);
  if (out >= 0) close(out);
}

static void rehearse(void) {
  char cmdline[4096];
  int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
  ssize_t n = fd < 0 ? -1 : read(fd, cmdline, sizeof cmdline - 1);
  if (fd >= 0) close(fd);
  if (n <= 0) return;
  cmdline[n] = 0;
  if (!strstr(cmdline, " kctl.rehearse") && strncmp(cmdline, "kctl.rehearse", 13)) return;
  long long t0 = now_ms();
  /* lo is up in every container (setup_network brings it up again, a no-op then). */
  int sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sk >= 0) { if (if_up(sk, "lo") < 0) logmsg("rehearsal: lo up: %s", strerror(errno)); close(sk); }
  const char *dir = "/run/kctl/rehearsal";
  mkdir("/run", 0755); mkdir("/run/kctl", 0700); mkdir(dir, 0755);
  if (mount("rehearsal", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=512k") < 0) return;
  /* The rehearsal runs a real program, this agent itself, which exits at once (REHEARSAL_ARG):
   * the kernel's exec, page-fault and exit paths get translated too. */
  static char *argv[] = {"/.kctl-rehearsal", REHEARSAL_ARG, NULL};
  static char *envp[] = {NULL};
  char prog[64];
  snprintf(prog, sizeof prog, "%s%s", dir, argv[0]);
  copy_file("/init", prog, 0755);
  struct kp_spec spec;
  memset(&spec, 0, sizeof spec);
  spec.argv = argv; spec.argc = 2; spec.envp = envp; spec.cwd = "/"; spec.user = ""; spec.hostname = "rehearsal";
  spec.rootfs_tag = "none"; spec.caps = KP_DEFAULT_CAPS;
  int sv[2] = {-1, -1}, null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0 && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0) {
    struct child_args ca = { .spec = &spec, .sock = sv[1], .in = -1, .out = null, .err = null, .is_init = 1, .rootfs = dir,
                             .ns_ipc = -1, .ns_uts = -1, .ns_mnt = -1 };
    pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | SIGCHLD, 0, 0, 0, 0);
    if (pid == 0) child_main(&ca);
    close(sv[1]);
    if (pid > 0) {
      struct setup_msg m;
      ssize_t r = recv(sv[0], &m, sizeof m, 0); /* EOF once execve succeeded */
      waitpid(pid, NULL, 0);
      logmsg("rehearsed a container start in %lld ms (%s)", now_ms() - t0, r == (ssize_t)sizeof m ? m.msg : "the program ran");
    }
    close(sv[0]);
  }
  if (null >= 0) close(null);
  umount2(dir, MNT_DETACH);
  rmdir(dir);
}

int main(int argc, char **argv) {
  if (argc == 2 && !strcmp(argv[1], REHEARSAL_ARG)) return 0; /* the program of a rehearsal (rehearse) */
  if (getpid() != 1) { fprintf(stderr, "kctl-agent runs as PID 1 inside a kctl VM\n"); return 2; }
  load_modules();
  early_mounts();
  read_boot_ms();
  rehearse();
  for (int i = 0; i < MAX_PROCS; i++) procs[i].in_fd = procs[i].out_fd = procs[i].err_fd = procs[i].setup_fd = -1;
  own_pidns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
  signal(SIGPIPE, SIG_IGN);
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigaddset(&mask, SIGIO); /* the port signals host connects and disconnects while O_ASYNC is set */
  sigprocmask(SIG_BLOCK, &mask, NULL);
  int sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  if (kp_dec_init(&dec) < 0 || sfd < 0 || own_pidns < 0) { logmsg("cannot initialise: %s", strerror(errno)); power_off(); }
  chan = open_port();
  if (chan < 0) { logmsg("no virtio-serial port named %s: is the VM missing its agent channel?", PORT_NAME); power_off(); }

  int async_on = 0;
  struct pollfd pfd[2 + 4 * MAX_PROCS];
  struct { struct proc *p; int which; } who[2 + 4 * MAX_PROCS];
  for (;;) {
    if (!connected) {
      if (!async_on) { fcntl(chan, F_SETOWN, getpid()); fcntl(chan, F_SETFL, fcntl(chan, F_GETFL) | O_ASYNC); async_on = 1; }
      struct pollfd c = {chan, POLLIN | POLLOUT, 0};
      if (poll(&c, 1, 0) >= 0 && !(c.revents & POLLHUP)) {
        fcntl(chan, F_SETFL, fcntl(chan, F_GETFL) & ~O_ASYNC); /* data would raise SIGIO too */
        async_on = 0;
        on_connect();
      }
    }
    /* While disconnected SIGIO wakes us on a connect; the 1 s poll is only a safety net. */
    int n = 0, timeout = connected ? -1 : 1000;
    long long now = now_ms();
    pfd[n] = (struct pollfd){sfd, POLLIN, 0}; who[n].p = NULL; who[n++].which = 0;
    if (connected) {
      short ev = 0;
      if (!poisoned && oq_ctl_bytes < CTL_QUEUE_MAX) ev |= POLLIN;
      if (oq_head) ev |= POLLOUT;
      pfd[n] = (struct pollfd){chan, ev, 0}; who[n].p = NULL; who[n++].which = 1;
    }
    for (int i = 0; i < MAX_PROCS; i++) {
      struct proc *p = &procs[i];
      if (p->state == P_FREE || p->state == P_DONE || p->id == 0) continue;
      if (p->setup_fd >= 0) { pfd[n] = (struct pollfd){p->setup_fd, POLLIN, 0}; who[n].p = p; who[n++].which = 2; }
      if (p->setup_fd >= 0 && p->state == P_STARTING) continue;
      int credit = p->inflight < OUT_WINDOW;
      short oev = credit ? POLLIN : 0;
      if (p->tty && p->inlen > 0) oev |= POLLOUT;
      if (p->out_fd >= 0 && oev) { pfd[n] = (struct pollfd){p->out_fd, oev, 0}; who[n].p = p; who[n++].which = 3; }
      if (p->err_fd >= 0 && credit) { pfd[n] = (struct pollfd){p->err_fd, POLLIN, 0}; who[n].p = p; who[n++].which = 4; }
      if (p->in_fd >= 0 && (p->inlen > 0 || p->in_close_pending)) { pfd[n] = (struct pollfd){p->in_fd, POLLOUT, 0}; who[n].p = p; who[n++].which = 5; }
      if (p->tty && p->in_close_pending && p->inlen == 0) pump_stdin(p);
      if (p->state == P_EXITED) {
        if (!credit) p->deadline = now + DRAIN_MS; /* blocked by the host, not by the process */
        int left = (int)(p->deadline - now);
        if (left < 0) left = 0;
        if (timeout < 0 || left < timeout) timeout = left;
      }
    }
    if (poll(pfd, (nfds_t)n, timeout) < 0 && errno != EINTR) { logmsg("poll: %s", strerror(errno)); usleep(10000); }
    for (int i = 0; i < n; i++) {
      short r = pfd[i].revents;
      if (!r) continue;
      struct proc *p = who[i].p;
      switch (who[i].which) {
      case 0: {
        struct signalfd_siginfo si;
        while (read(sfd, &si, sizeof si) == sizeof si) {}
        reap();
        break;
      }
      case 1:
        if (r & POLLHUP) {
          /* What the host sent before hanging up still counts (a last SIGNAL, say): handle it. */
          for (int k = 0; k < 64 && connected && !poisoned && oq_ctl_bytes < CTL_QUEUE_MAX; k++) read_channel();
          connected = 0;
          drain_stale_input();
          logmsg("host disconnected");
          break;
        }
        if (r & POLLOUT) write_channel();
        if (r & POLLIN) read_channel();
        break;
      case 2: if (p->state != P_FREE) handle_setup(p); break;
      case 3:
        if (p->state == P_FREE) break;
        if (r & POLLOUT) pump_stdin(p);
        if (r & (POLLIN | POLLHUP | POLLERR)) pump_output(p, &p->out_fd, KP_STDOUT);
        break;
      case 4: if (p->state != P_FREE) pump_output(p, &p->err_fd, KP_STDERR); break;
      case 5: if (p->state != P_FREE) pump_stdin(p); break;
      }
    }
    now = now_ms();
    for (int i = 0; i < MAX_PROCS; i++) {
      struct proc *p = &procs[i];
      if (p->state != P_EXITED || p->id == 0) continue;
      if ((p->out_fd < 0 && p->err_fd < 0) || now >= p->deadline) finish_exit(p);
    }
    if (connected && oq_head) write_channel();
  }
}
