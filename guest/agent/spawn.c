/* Runs in the freshly created child: builds the container's view and execs the command. */
#define _GNU_SOURCE
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/* openat2(2) (Linux 5.6); spelled out because musl ships no <linux/openat2.h>. */
#ifndef RESOLVE_IN_ROOT
struct open_how { uint64_t flags, mode, resolve; };
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_IN_ROOT 0x10
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define MAX_IDFILE (1024 * 1024)

static int setup_sock = -1;

static _Noreturn void fail(int kind, int err, const char *fmt, ...) {
  struct setup_msg m;
  memset(&m, 0, sizeof m);
  m.kind = kind;
  m.err = err;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(m.msg, sizeof m.msg, fmt, ap);
  va_end(ap);
  (void)!send(setup_sock, &m, sizeof m, MSG_NOSIGNAL);
  _exit(kind == KF_NOT_FOUND ? 127 : 126);
}

static void xmount(const char *src, const char *dst, const char *type, unsigned long flags, const char *data) {
  if (mkdir(dst, 0755) < 0 && errno != EEXIST) fail(KF_FAILED, errno, "create mount point %s: %s", dst, strerror(errno));
  if (mount(src, dst, type, flags, data) < 0) fail(KF_FAILED, errno, "mount %s on %s: %s", type ? type : src, dst, strerror(errno));
}

static void make_dev(void) {
  static const struct { const char *name; unsigned maj, min; } nodes[] = {
    {"/dev/null", 1, 3}, {"/dev/zero", 1, 5}, {"/dev/full", 1, 7}, {"/dev/random", 1, 8},
    {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},
  };
  xmount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
  for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++)
    if (mknod(nodes[i].name, S_IFCHR | 0666, makedev(nodes[i].maj, nodes[i].min)) < 0 || chmod(nodes[i].name, 0666) < 0)
      fail(KF_FAILED, errno, "create %s: %s", nodes[i].name, strerror(errno));
  xmount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5");
  xmount("shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k");
  (void)!symlink("pts/ptmx", "/dev/ptmx");
  (void)!symlink("/proc/self/fd", "/dev/fd");
  (void)!symlink("/proc/self/fd/0", "/dev/stdin");
  (void)!symlink("/proc/self/fd/1", "/dev/stdout");
  (void)!symlink("/proc/self/fd/2", "/dev/stderr");
}

/* As Docker does: hide kernel interfaces a container has no business with, make others read-only. */
static void mask_paths(void) {
  static const char *masked_files[] = {"/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug", "/proc/latency_stats", NULL};
  static const char *masked_dirs[] = {"/proc/acpi", "/proc/scsi", "/sys/firmware", NULL};
  static const char *readonly[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL};
  for (int i = 0; masked_files[i]; i++)
    if (mount("/dev/null", masked_files[i], NULL, MS_BIND, NULL) < 0 && errno != ENOENT)
      fail(KF_FAILED, errno, "mask %s: %s", masked_files[i], strerror(errno));
  for (int i = 0; masked_dirs[i]; i++)
    if (mount("tmpfs", masked_dirs[i], "tmpfs", MS_RDONLY, "size=0") < 0 && errno != ENOENT)
      fail(KF_FAILED, errno, "mask %s: %s", masked_dirs[i], strerror(errno));
  for (int i = 0; readonly[i]; i++) {
    if (mount(readonly[i], readonly[i], NULL, MS_BIND | MS_REC, NULL) < 0) {
      if (errno == ENOENT) continue;
      fail(KF_FAILED, errno, "bind %s: %s", readonly[i], strerror(errno));
    }
    if (mount(NULL, readonly[i], NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
      fail(KF_FAILED, errno, "make %s read-only: %s", readonly[i], strerror(errno));
  }
}

static void drop_capabilities(uint64_t keep) {
  for (int cap = 0; cap < 64; cap++) {
    if (keep & (1ull << cap)) continue;
    if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) < 0) break; /* past the kernel's last capability */
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) fail(KF_FAILED, errno, "drop capability %d: %s", cap, strerror(errno));
  }
}

static int open_in_root(int root, const char *path, int flags) {
  struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC), .mode = 0, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
  return (int)syscall(SYS_openat2, root, path, &how, sizeof how);
}

/*
 * Opens (O_PATH) `target` inside the container root, creating it and its missing parents (a directory,
 * or an empty file when want_dir is 0). Every step resolves in the root with openat2(RESOLVE_IN_ROOT),
 * so ".." and symlinks in the image, absolute or relative, cannot lead outside it.
 */
static int ensure_in_root(int root, const char *target, int want_dir) {
  int fd = open_in_root(root, target + 1, O_PATH);
  if (fd >= 0) return fd;
  if (errno != ENOENT) fail(KF_FAILED, errno, "mount target %s: %s", target, strerror(errno));
  char buf[KP_MAX_PATH + 1];
  snprintf(buf, sizeof buf, "%s", target + 1);
  size_t n = strlen(buf);
  while (n > 0 && buf[n - 1] == '/') buf[--n] = 0;
  char *c = buf;
  for (;;) {
    char *slash = strchr(c, '/');
    int last = slash == NULL;
    if (slash) *slash = 0;
    int parent = c == buf ? fcntl(root, F_DUPFD_CLOEXEC, 0) : -1;
    if (c != buf) {
      c[-1] = 0;
      parent = open_in_root(root, buf, O_PATH | O_DIRECTORY);
      c[-1] = '/';
    }
    if (parent < 0) fail(KF_FAILED, errno, "mount target %s: %s", target, strerror(errno));
    if (!last || want_dir) {
      if (mkdirat(parent, c, 0755) < 0 && errno != EEXIST) fail(KF_FAILED, errno, "create mount point %s: %s", target, strerror(errno));
    } else {
      int f = openat(parent, c, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
      if (f < 0 && errno != EEXIST && errno != ELOOP) fail(KF_FAILED, errno, "create mount point %s: %s", target, strerror(errno));
      if (f >= 0) close(f);
    }
    close(parent);
    if (last) break;
    *slash = '/';
    c = slash + 1;
  }
  fd = open_in_root(root, buf, O_PATH);
  if (fd < 0) fail(KF_FAILED, errno, "mount target %s: %s", target, strerror(errno));
  return fd;
}

static void bind_at(int root, const char *src, int fd, const char *target, int readonly) {
  char p[64];
  snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
  if (mount(src, p, NULL, MS_BIND | MS_REC, NULL) < 0) fail(KF_FAILED, errno, "bind-mount on %s: %s", target, strerror(errno));
  if (!readonly) return;
  /* fd still names the covered directory: open the new mount's root to remount it. */
  int top = open_in_root(root, target + 1, O_PATH);
  if (top < 0) fail(KF_FAILED, errno, "reopen %s: %s", target, strerror(errno));
  snprintf(p, sizeof p, "/proc/self/fd/%d", top);
  if (mount(NULL, p, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
    fail(KF_FAILED, errno, "make %s read-only: %s", target, strerror(errno));
  close(top);
}

/* Volumes, bind mounts, tmpfs and the network files, placed in the container root before the pivot. */
static void container_mounts(const struct child_args *a) {
  const struct kp_spec *s = a->spec;
  if (s->nmounts == 0 && s->nfiles == 0) return;
  int root = open(a->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) fail(KF_FAILED, errno, "open the container root: %s", strerror(errno));
  for (int i = 0; i < s->nmounts; i++) {
    const struct kp_mount *m = &s->mounts[i];
    int fd = ensure_in_root(root, m->target, 1);
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode)) fail(KF_FAILED, ENOTDIR, "mount target %s is not a directory", m->target);
    if (m->type == KM_SHARE) {
      char src[sizeof SHARES_DIR + KP_MAX_TAG + 2];
      snprintf(src, sizeof src, SHARES_DIR "/%s", m->source);
      bind_at(root, src, fd, m->target, m->readonly);
    } else {
      char p[64];
      snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
      if (mount("tmpfs", p, "tmpfs", m->flags, m->data) < 0) fail(KF_FAILED, errno, "mount tmpfs on %s: %s", m->target, strerror(errno));
    }
    close(fd);
  }
  for (int i = 0; i < s->nfiles; i++) {
    int fd = ensure_in_root(root, s->files[i].target, 0);
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) fail(KF_FAILED, EINVAL, "%s in the image is not a regular file", s->files[i].target);
    char src[64];
    snprintf(src, sizeof src, FILES_DIR "/%d", i);
    bind_at(root, src, fd, s->files[i].target, 0);
    close(fd);
  }
  close(root);
}

static void enter_rootfs(const struct child_args *a) {
  const struct kp_spec *s = a->spec;
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) fail(KF_FAILED, errno, "make mounts private: %s", strerror(errno));
  container_mounts(a);
  if (chdir(a->rootfs) < 0) fail(KF_FAILED, errno, "enter the container root: %s", strerror(errno));
  /* pivot_root(".", ".") stacks the old root on the new one; detaching it leaves only the container. */
  if (syscall(SYS_pivot_root, ".", ".") < 0) fail(KF_FAILED, errno, "pivot_root: %s", strerror(errno));
  if (umount2(".", MNT_DETACH) < 0) fail(KF_FAILED, errno, "detach the agent root: %s", strerror(errno));
  if (chdir("/") < 0) fail(KF_FAILED, errno, "chdir /: %s", strerror(errno));
  /* Mounted after the pivot so that symlinks in the image resolve inside the container. */
  xmount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
  xmount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, NULL);
  make_dev();
  mask_paths();
  if (s->readonly_rootfs && mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
    fail(KF_FAILED, errno, "make the root filesystem read-only: %s", strerror(errno));
  const char *h = s->hostname ? s->hostname : "";
  if (sethostname(h, strlen(h)) < 0) fail(KF_FAILED, errno, "sethostname: %s", strerror(errno));
}

/* Reads a small regular file from the image (never a FIFO or device), NUL-terminated, or NULL. */
static char *read_idfile(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return NULL;
  struct stat st;
  if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_IDFILE) { close(fd); return NULL; }
  char *buf = malloc((size_t)st.st_size + 1);
  size_t have = 0;
  while (buf && have < (size_t)st.st_size) {
    ssize_t n = read(fd, buf + have, (size_t)st.st_size - have);
    if (n <= 0) break;
    have += (size_t)n;
  }
  close(fd);
  if (buf) buf[have] = 0;
  return buf;
}

/* Parses a decimal id; ids at or above 2^31-1 are refused (they wrap to 0 in some places). */
static int parse_id(const char *s, size_t n, unsigned *out) {
  unsigned long v = 0;
  if (n == 0 || n > 10) return -1;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (unsigned long)(s[i] - '0');
  }
  if (v >= 0x7fffffffUL) return -1;
  *out = (unsigned)v;
  return 0;
}

/* Splits line [p, end) at ':' into at most max fields; returns the count. */
static int split_fields(const char *p, const char *end, const char **f, size_t *fl, int max) {
  int k = 0;
  while (k < max) {
    const char *c = memchr(p, ':', (size_t)(end - p));
    f[k] = p;
    fl[k] = (size_t)((c ? c : end) - p);
    k++;
    if (!c) break;
    p = c + 1;
  }
  return k;
}

static int list_has(const char *p, size_t n, const char *name) {
  size_t nl = strlen(name);
  while (n > 0) {
    const char *c = memchr(p, ',', n);
    size_t l = c ? (size_t)(c - p) : n;
    if (l == nl && memcmp(p, name, nl) == 0) return 1;
    if (!c) break;
    n -= l + 1;
    p = c + 1;
  }
  return 0;
}

int kp_resolve_user(const char *spec, const char *passwd, const char *group, struct kp_user *u, char *msg, size_t msglen) {
  char uname[257] = "", gname[257] = "";
  const char *colon = strchr(spec, ':');
  size_t ul = colon ? (size_t)(colon - spec) : strlen(spec);
  if (ul > 256 || (colon && strlen(colon + 1) > 256)) { snprintf(msg, msglen, "user name too long"); return -1; }
  memcpy(uname, spec, ul);
  if (colon) strcpy(gname, colon + 1);
  memset(u, 0, sizeof *u);
  u->home = "/";
  int uid_numeric = ul == 0 || parse_id(uname, ul, &u->uid) == 0;
  int have_gid = 0, found = 0;
  if (ul == 0) u->uid = 0;
  /* passwd: name:pw:uid:gid:gecos:home:shell */
  for (const char *p = passwd; p && *p;) {
    const char *end = strchr(p, '\n');
    if (!end) end = p + strlen(p);
    const char *f[7]; size_t fl[7];
    if (split_fields(p, end, f, fl, 7) == 7) {
      unsigned id, gid;
      int match = uid_numeric ? (parse_id(f[2], fl[2], &id) == 0 && id == u->uid)
                              : (fl[0] == ul && memcmp(f[0], uname, ul) == 0);
      if (match && parse_id(f[2], fl[2], &id) == 0 && parse_id(f[3], fl[3], &gid) == 0) {
        u->uid = id; u->gid = gid; have_gid = 1; found = 1;
        {
          size_t hl = fl[5] < sizeof u->homebuf - 1 ? fl[5] : sizeof u->homebuf - 1;
          memcpy(u->homebuf, f[5], hl);
          u->homebuf[hl] = 0;
          if (hl > 0) u->home = u->homebuf;
        }
        /* the user's name, for supplementary group lookup */
        size_t nl = fl[0] < 256 ? fl[0] : 256;
        memcpy(uname, f[0], nl); uname[nl] = 0;
        break;
      }
    }
    p = *end ? end + 1 : end;
  }
  if (!uid_numeric && !found) { snprintf(msg, msglen, "unable to find user %s: no matching entries in passwd file", uname); return -1; }
  if (!found && uid_numeric) uname[0] = 0; /* unknown numeric uid: no name, no groups */
  if (gname[0]) {
    unsigned g;
    if (parse_id(gname, strlen(gname), &g) == 0) { u->gid = g; have_gid = 1; }
    else {
      int gf = 0;
      for (const char *p = group; p && *p;) {
        const char *end = strchr(p, '\n');
        if (!end) end = p + strlen(p);
        const char *f[4]; size_t fl[4];
        if (split_fields(p, end, f, fl, 4) >= 3 && fl[0] == strlen(gname) && memcmp(f[0], gname, fl[0]) == 0 &&
            parse_id(f[2], fl[2], &g) == 0) { u->gid = g; gf = 1; break; }
        p = *end ? end + 1 : end;
      }
      if (!gf) { snprintf(msg, msglen, "unable to find group %s: no matching entries in group file", gname); return -1; }
      have_gid = 1;
    }
  }
  if (!have_gid) u->gid = 0;
  u->groups[u->ngroups++] = u->gid;
  /* group: name:pw:gid:member,member */
  for (const char *p = group; uname[0] && p && *p;) {
    const char *end = strchr(p, '\n');
    if (!end) end = p + strlen(p);
    const char *f[4]; size_t fl[4];
    unsigned g;
    if (split_fields(p, end, f, fl, 4) == 4 && list_has(f[3], fl[3], uname) && parse_id(f[2], fl[2], &g) == 0) {
      int dup = 0;
      for (int i = 0; i < u->ngroups; i++) dup |= u->groups[i] == g;
      if (!dup && u->ngroups < 64) u->groups[u->ngroups++] = g;
    }
    p = *end ? end + 1 : end;
  }
  return 0;
}

static void mkdir_p(const char *path) {
  char buf[4096 + 1];
  size_t n = strlen(path);
  if (n >= sizeof buf) fail(KF_FAILED, ENAMETOOLONG, "working directory too long");
  memcpy(buf, path, n + 1);
  for (size_t i = 1; i <= n; i++) {
    if (buf[i] == '/' || buf[i] == 0) {
      char c = buf[i];
      buf[i] = 0;
      if (mkdir(buf, 0755) < 0 && errno != EEXIST) fail(KF_FAILED, errno, "create working directory %s: %s", buf, strerror(errno));
      buf[i] = c;
    }
  }
}

static const char *env_get(char *const *envp, const char *name) {
  size_t n = strlen(name);
  for (; *envp; envp++)
    if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=') return *envp + n + 1;
  return NULL;
}

static void setup_tty(const struct kp_spec *s) {
  int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) fail(KF_FAILED, errno, "open /dev/ptmx: %s", strerror(errno));
  int unlock = 0, ptn = 0;
  if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || ioctl(master, TIOCGPTN, &ptn) < 0)
    fail(KF_FAILED, errno, "unlock the pty: %s", strerror(errno));
  char path[64];
  snprintf(path, sizeof path, "/dev/pts/%d", ptn);
  int slave = open(path, O_RDWR | O_NOCTTY);
  if (slave < 0) fail(KF_FAILED, errno, "open %s: %s", path, strerror(errno));
  struct winsize ws = {.ws_row = (unsigned short)(s->rows ? s->rows : 24), .ws_col = (unsigned short)(s->cols ? s->cols : 80)};
  ioctl(slave, TIOCSWINSZ, &ws);
  if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0) fail(KF_FAILED, errno, "make the pty the controlling terminal: %s", strerror(errno));
  char cbuf[CMSG_SPACE(sizeof(int))];
  memset(cbuf, 0, sizeof cbuf);
  struct setup_msg m;
  memset(&m, 0, sizeof m);
  struct iovec iov = {&m, sizeof m};
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
  struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
  c->cmsg_level = SOL_SOCKET; c->cmsg_type = SCM_RIGHTS; c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &master, sizeof master);
  if (sendmsg(setup_sock, &mh, MSG_NOSIGNAL) < 0) fail(KF_FAILED, errno, "pass the pty to the agent: %s", strerror(errno));
  close(master);
  for (int i = 0; i < 3; i++)
    if (dup2(slave, i) < 0) fail(KF_FAILED, errno, "dup2: %s", strerror(errno));
  if (slave > 2) close(slave);
}

static void setup_pipes(const struct child_args *a) {
  int in = a->in;
  if (in < 0 && (in = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) fail(KF_FAILED, errno, "open /dev/null: %s", strerror(errno));
  /* dup2 clears O_CLOEXEC on the targets; the originals stay close-on-exec. */
  if (dup2(in, 0) < 0 || dup2(a->out, 1) < 0 || dup2(a->err, 2) < 0) fail(KF_FAILED, errno, "dup2: %s", strerror(errno));
}

/*
 * --init: PID 1 of the container stays a minimal init (as tini does). Every signal is blocked and
 * taken with sigwaitinfo, so the kernel's rule for a namespace init (signals without a handler are
 * dropped) does not swallow them: each is forwarded to the command, zombies re-parented to PID 1
 * are reaped, and the init exits with the command's status (128 + signal when a signal ended it).
 */
static _Noreturn void run_init(pid_t child) {
  sigset_t all;
  sigfillset(&all);
  prctl(PR_SET_NAME, "kctl-init", 0, 0, 0);
  for (;;) {
    siginfo_t si;
    int sig = sigwaitinfo(&all, &si);
    if (sig < 0) continue;
    if (sig == SIGCHLD) {
      int st;
      pid_t p;
      while ((p = waitpid(-1, &st, WNOHANG)) > 0)
        if (p == child) _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
      continue;
    }
    kill(child, sig);
  }
}

_Noreturn void child_main(const struct child_args *a) {
  const struct kp_spec *s = a->spec;
  setup_sock = a->sock;
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  signal(SIGPIPE, SIG_DFL);
  if (a->is_init) {
    enter_rootfs(a);
  } else {
    if (setns(a->ns_ipc, CLONE_NEWIPC) < 0 || setns(a->ns_uts, CLONE_NEWUTS) < 0 || setns(a->ns_mnt, CLONE_NEWNS) < 0)
      fail(KF_FAILED, errno, "join the container's namespaces: %s", strerror(errno));
    if (chdir("/") < 0) fail(KF_FAILED, errno, "chdir /: %s", strerror(errno));
  }
  if (s->tty) setup_tty(s);
  else setup_pipes(a);

  char msg[300];
  struct kp_user u;
  char *pw = read_idfile("/etc/passwd"), *gr = read_idfile("/etc/group");
  if (kp_resolve_user(s->user, pw, gr, &u, msg, sizeof msg) < 0) fail(KF_INVALID, EINVAL, "%s", msg);

  /* Environment: the given entries, plus PATH and HOME when absent (as Docker does). */
  static char *envp[KP_MAX_ENV + 3];
  int ne = 0;
  for (int i = 0; i < s->envc; i++) envp[ne++] = s->envp[i];
  static char pathenv[] = "PATH=" DEFAULT_PATH;
  static char homeenv[300];
  if (!env_get(envp, "PATH")) envp[ne++] = pathenv;
  envp[ne] = NULL;
  if (!env_get(envp, "HOME")) { snprintf(homeenv, sizeof homeenv, "HOME=%s", u.home); envp[ne++] = homeenv; }
  envp[ne] = NULL;

  mkdir_p(s->cwd);
  if (chdir(s->cwd) < 0) fail(KF_FAILED, errno, "chdir to working directory %s: %s", s->cwd, strerror(errno));
  /* Effective after execve: a root process gets exactly this bounding set, file capabilities too. */
  drop_capabilities(s->caps);
  gid_t groups[64];
  for (int i = 0; i < u.ngroups; i++) groups[i] = u.groups[i];
  if (setgroups((size_t)u.ngroups, groups) < 0 || setgid(u.gid) < 0 || setuid(u.uid) < 0)
    fail(KF_FAILED, errno, "switch to user %s: %s", s->user[0] ? s->user : "root", strerror(errno));

  if (a->is_init && s->init) {
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL); /* nothing is lost between fork and sigwaitinfo */
    pid_t child = fork();
    if (child < 0) fail(KF_FAILED, errno, "fork the command under --init: %s", strerror(errno));
    if (child > 0) {
      /* Failures of the command reach the agent from the child; EOF on the socket means it ran. */
      close(setup_sock);
      run_init(child);
    }
    /* The command leads its own process group and, with a terminal, is its foreground group, so ^C
     * from the terminal reaches the command once (the init is not in that group). Signals are still
     * blocked here, SIGTTOU included, so tcsetpgrp from what was the background does not stop us. */
    setpgid(0, 0);
    if (s->tty) tcsetpgrp(0, getpid());
    sigprocmask(SIG_SETMASK, &none, NULL);
  }

  const char *cmd = s->argv[0];
  if (strchr(cmd, '/')) {
    execve(cmd, s->argv, envp);
    int e = errno;
    if (e == ENOENT) fail(KF_NOT_FOUND, e, "exec: \"%s\": stat %s: no such file or directory", cmd, cmd);
    fail(KF_CANNOT_INVOKE, e, "exec: \"%s\": %s", cmd, e == EACCES ? "permission denied" : strerror(e));
  }
  const char *path = env_get(envp, "PATH");
  int saw_eacces = 0;
  for (const char *p = path; p && *p;) {
    const char *c = strchr(p, ':');
    size_t dl = c ? (size_t)(c - p) : strlen(p);
    char full[4096 + 256 + 2];
    if (dl + strlen(cmd) + 2 <= sizeof full) {
      if (dl == 0) snprintf(full, sizeof full, "%s", cmd);
      else snprintf(full, sizeof full, "%.*s/%s", (int)dl, p, cmd);
      struct stat st;
      if (stat(full, &st) == 0 && S_ISREG(st.st_mode)) {
        if (access(full, X_OK) == 0) {
          execve(full, s->argv, envp);
          int e = errno;
          if (e == ENOENT) fail(KF_NOT_FOUND, e, "exec: \"%s\": %s: no such file or directory", cmd, full);
          fail(KF_CANNOT_INVOKE, e, "exec: \"%s\": %s", full, e == EACCES ? "permission denied" : strerror(e));
        }
        saw_eacces = 1;
      }
    }
    if (!c) break;
    p = c + 1;
  }
  (void)saw_eacces;
  fail(KF_NOT_FOUND, ENOENT, "exec: \"%s\": executable file not found in $PATH", cmd);
}
