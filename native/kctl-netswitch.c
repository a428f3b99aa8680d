/*
 * kctl-netswitch: the L2 switch of one kctl user-defined network.
 *
 * Every container on a network has a NIC whose QEMU backend is `-netdev stream,server=on` on a
 * unix socket in its VM's directory. The switch holds one connection to each of those sockets (a
 * "port") and forwards Ethernet frames between them; the framing is QEMU's stream netdev framing,
 * a 32-bit big-endian length and then the frame. Frames come from guests, so they are hostile:
 *
 *   - each port is pinned to the MAC kctl gave the NIC; frames with another source MAC are dropped,
 *     so a guest cannot pose as another container or poison the forwarding table;
 *   - unicast goes only to the port that owns the destination MAC (there is nothing to learn and no
 *     flooding of unknown destinations); broadcast and multicast go to every other port;
 *   - a length outside 14..65535 closes the port; a port that does not read its frames fast enough
 *     loses frames (its queue is bounded), never the switch's memory;
 *   - after setup the switch runs chrooted into its network directory, as an unprivileged uid, with
 *     no_new_privs and a seccomp filter that allows only the system calls its loop makes.
 *
 * Usage (kctld runs all of these; see src/core/network/switch.ts):
 *   kctl-netswitch serve DIR UID           listen on DIR/ctl.sock (0600), then drop to UID and serve
 *   kctl-netswitch attach CTL NAME MAC SOCK [UID]
 *                                           connect to QEMU's socket SOCK and hand it to the switch
 *                                           as port NAME (a port of the same name is replaced); with
 *                                           UID (the VM's QEMU user) SOCK is reached as that user only
 *   kctl-netswitch detach CTL NAME          close port NAME
 *   kctl-netswitch list CTL                 print the attached ports, "NAME MAC rx tx drops" each
 *
 * The control protocol is one line per connection ("attach NAME MAC", "detach NAME", "list"), the
 * port's file descriptor passed with SCM_RIGHTS, and one answer line ("ok ..." or "err ...").
 * The switch outlives kctld; a port goes away when its VM's QEMU closes the connection.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_PORTS 1024
#define MAX_CTL 8
#define FRAME_MIN 14
#define FRAME_MAX 65535
#define RX_CAP (4 + FRAME_MAX)
#define TX_CAP (256 * 1024)
#define LINE_MAX_LEN 512

struct port {
  int fd;
  char name[65];
  uint8_t mac[6];
  uint8_t *rx;
  size_t rxlen;
  uint8_t *tx;
  size_t txlen;
  unsigned long long rx_frames, tx_frames, drops;
};

struct ctl {
  int fd;
  char buf[LINE_MAX_LEN];
  size_t len;
  int passed_fd;
};

static struct port ports[MAX_PORTS];
static int nports;
static struct ctl ctls[MAX_CTL];
static int listen_fd = -1;

static void logf_(const char *fmt, const char *a, const char *b) {
  char line[256];
  int n = snprintf(line, sizeof line, fmt, a, b);
  if (n > 0) {
    if (n > (int)sizeof line - 1) n = sizeof line - 1;
    ssize_t w = write(2, line, (size_t)n);
    (void)w;
  }
}

static int valid_name(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n > 64) return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == '/')) return 0;
  }
  return 1;
}

static int parse_mac(const char *s, uint8_t mac[6]) {
  unsigned v[6];
  char tail;
  if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6) return -1;
  for (int i = 0; i < 6; i++) mac[i] = (uint8_t)v[i];
  if (mac[0] & 1) return -1; /* a NIC's own address is never multicast */
  return 0;
}

static void close_port(int i, const char *why) {
  logf_("kctl-netswitch: port %s closed: %s\n", ports[i].name, why);
  close(ports[i].fd);
  free(ports[i].rx);
  free(ports[i].tx);
  ports[i] = ports[--nports];
  memset(&ports[nports], 0, sizeof ports[nports]);
}

static int find_port(const char *name) {
  for (int i = 0; i < nports; i++)
    if (strcmp(ports[i].name, name) == 0) return i;
  return -1;
}

static void enqueue(struct port *p, const uint8_t *frame, uint32_t len) {
  if (p->txlen + 4 + len > TX_CAP) {
    p->drops++;
    return;
  }
  uint8_t *o = p->tx + p->txlen;
  o[0] = (uint8_t)(len >> 24);
  o[1] = (uint8_t)(len >> 16);
  o[2] = (uint8_t)(len >> 8);
  o[3] = (uint8_t)len;
  memcpy(o + 4, frame, len);
  p->txlen += 4 + len;
  p->tx_frames++;
}

static void forward(int from, const uint8_t *frame, uint32_t len) {
  struct port *src = &ports[from];
  if (memcmp(frame + 6, src->mac, 6) != 0) { /* spoofed source */
    src->drops++;
    return;
  }
  src->rx_frames++;
  if (frame[0] & 1) {
    for (int i = 0; i < nports; i++)
      if (i != from) enqueue(&ports[i], frame, len);
    return;
  }
  for (int i = 0; i < nports; i++) {
    if (i != from && memcmp(ports[i].mac, frame, 6) == 0) {
      enqueue(&ports[i], frame, len);
      return;
    }
  }
  src->drops++; /* nobody owns that address */
}

/* Reads what the port has; forwards every complete frame. Returns -1 when the port must close. */
static int port_read(int i, const char **why) {
  struct port *p = &ports[i];
  ssize_t n = recv(p->fd, p->rx + p->rxlen, RX_CAP - p->rxlen, MSG_DONTWAIT);
  if (n == 0) { *why = "end of stream"; return -1; }
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return 0;
    *why = strerror(errno);
    return -1;
  }
  p->rxlen += (size_t)n;
  size_t off = 0;
  while (p->rxlen - off >= 4) {
    const uint8_t *h = p->rx + off;
    uint32_t len = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
    if (len < FRAME_MIN || len > FRAME_MAX) { *why = "frame length out of bounds"; return -1; }
    if (p->rxlen - off - 4 < len) break;
    forward(i, h + 4, len);
    p = &ports[i];
    off += 4 + len;
  }
  memmove(p->rx, p->rx + off, p->rxlen - off);
  p->rxlen -= off;
  return 0;
}

static int port_write(int i, const char **why) {
  struct port *p = &ports[i];
  while (p->txlen) {
    ssize_t n = send(p->fd, p->tx, p->txlen, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return 0;
      *why = strerror(errno);
      return -1;
    }
    memmove(p->tx, p->tx + n, p->txlen - (size_t)n);
    p->txlen -= (size_t)n;
  }
  return 0;
}

static void reply(int fd, const char *line) {
  send(fd, line, strlen(line), MSG_DONTWAIT | MSG_NOSIGNAL);
}

static void ctl_close(int i) {
  close(ctls[i].fd);
  if (ctls[i].passed_fd >= 0) close(ctls[i].passed_fd);
  ctls[i].fd = -1;
  ctls[i].passed_fd = -1;
  ctls[i].len = 0;
}

static void ctl_command(struct ctl *c, char *line) {
  char *save = NULL;
  char *verb = strtok_r(line, " ", &save);
  char *a = strtok_r(NULL, " ", &save);
  char *b = strtok_r(NULL, " ", &save);
  char *extra = strtok_r(NULL, " ", &save);
  if (!verb) { reply(c->fd, "err empty command\n"); return; }
  if (strcmp(verb, "attach") == 0) {
    uint8_t mac[6];
    if (!a || !b || extra || !valid_name(a) || parse_mac(b, mac) < 0) { reply(c->fd, "err usage: attach NAME MAC (with the port's fd)\n"); return; }
    if (c->passed_fd < 0) { reply(c->fd, "err no file descriptor was passed\n"); return; }
    int old = find_port(a);
    if (old >= 0) close_port(old, "replaced");
    for (int i = 0; i < nports; i++) {
      if (memcmp(ports[i].mac, mac, 6) == 0) { reply(c->fd, "err another port has that MAC\n"); return; }
    }
    if (nports >= MAX_PORTS) { reply(c->fd, "err too many ports\n"); return; }
    struct port *p = &ports[nports];
    memset(p, 0, sizeof *p);
    p->rx = malloc(RX_CAP);
    p->tx = malloc(TX_CAP);
    if (!p->rx || !p->tx) { free(p->rx); free(p->tx); reply(c->fd, "err out of memory\n"); return; }
    p->fd = c->passed_fd;
    c->passed_fd = -1;
    fcntl(p->fd, F_SETFL, fcntl(p->fd, F_GETFL) | O_NONBLOCK);
    snprintf(p->name, sizeof p->name, "%s", a);
    memcpy(p->mac, mac, 6);
    nports++;
    logf_("kctl-netswitch: port %s attached (%s)\n", a, b);
    reply(c->fd, "ok\n");
  } else if (strcmp(verb, "detach") == 0) {
    if (!a || b || !valid_name(a)) { reply(c->fd, "err usage: detach NAME\n"); return; }
    int i = find_port(a);
    if (i < 0) { reply(c->fd, "err no such port\n"); return; }
    close_port(i, "detached");
    reply(c->fd, "ok\n");
  } else if (strcmp(verb, "list") == 0) {
    reply(c->fd, "ok\n");
    for (int i = 0; i < nports; i++) {
      char out[200];
      const uint8_t *m = ports[i].mac;
      snprintf(out, sizeof out, "%s %02x:%02x:%02x:%02x:%02x:%02x %llu %llu %llu\n", ports[i].name, m[0], m[1], m[2], m[3], m[4], m[5],
               ports[i].rx_frames, ports[i].tx_frames, ports[i].drops);
      reply(c->fd, out);
    }
  } else {
    reply(c->fd, "err unknown command\n");
  }
}

/* Reads from a control connection; returns 1 when it is done (answered or broken). */
static int ctl_read(struct ctl *c) {
  char cbuf[CMSG_SPACE(sizeof(int) * 4)];
  struct iovec iov = {c->buf + c->len, sizeof c->buf - 1 - c->len};
  struct msghdr mh = {0};
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  mh.msg_control = cbuf;
  mh.msg_controllen = sizeof cbuf;
  ssize_t n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
  for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
    if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) continue;
    size_t nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    int fds[4];
    memcpy(fds, CMSG_DATA(cm), nfd * sizeof(int) > sizeof fds ? sizeof fds : nfd * sizeof(int));
    for (size_t k = 0; k < nfd && k < 4; k++) {
      if (c->passed_fd < 0 && k == 0) c->passed_fd = fds[k];
      else close(fds[k]);
    }
  }
  if (n <= 0) return 1;
  c->len += (size_t)n;
  c->buf[c->len] = 0;
  char *nl = memchr(c->buf, '\n', c->len);
  if (!nl) {
    if (c->len >= sizeof c->buf - 1) { reply(c->fd, "err command too long\n"); return 1; }
    return 0;
  }
  *nl = 0;
  ctl_command(c, c->buf);
  return 1;
}

static int install_seccomp(void) {
  static const int allowed[] = {
    SYS_poll, SYS_ppoll, SYS_read, SYS_write, SYS_recvfrom, SYS_recvmsg, SYS_sendto, SYS_accept, SYS_accept4,
    SYS_close, SYS_fcntl, SYS_brk, SYS_mmap, SYS_munmap, SYS_mremap, SYS_madvise, SYS_exit, SYS_exit_group,
    SYS_rt_sigreturn, SYS_clock_gettime, SYS_getpid, SYS_fstat, SYS_newfstatat,
  };
  enum { N = sizeof allowed / sizeof allowed[0] };
  struct sock_filter f[4 + 2 * N + 1];
  int k = 0;
  f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
  f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
  f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
  f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
  for (int i = 0; i < N; i++) {
    f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)allowed[i], 0, 1);
    f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  }
  f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
  struct sock_fprog prog = {(unsigned short)k, f};
  return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

static int serve(const char *dir, const char *uid_s) {
  char *end;
  long uid = strtol(uid_s, &end, 10);
  if (*end || uid <= 0 || uid > 0x7fffffff) { fprintf(stderr, "kctl-netswitch: invalid uid %s\n", uid_s); return 2; }
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  if (snprintf(sa.sun_path, sizeof sa.sun_path, "%s/ctl.sock", dir) >= (int)sizeof sa.sun_path) {
    fprintf(stderr, "kctl-netswitch: %s/ctl.sock is too long for a unix socket\n", dir);
    return 2;
  }
  listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  unlink(sa.sun_path);
  mode_t old = umask(077);
  if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(listen_fd, 16) < 0) {
    fprintf(stderr, "kctl-netswitch: listen on %s: %s\n", sa.sun_path, strerror(errno));
    return 1;
  }
  umask(old);
  chmod(sa.sun_path, 0600);
  if (geteuid() == 0) {
    if (chroot(dir) < 0 || chdir("/") < 0 || setgroups(0, NULL) < 0 || setgid((gid_t)uid) < 0 || setuid((uid_t)uid) < 0) {
      fprintf(stderr, "kctl-netswitch: dropping privileges: %s\n", strerror(errno));
      return 1;
    }
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 || install_seccomp() < 0) {
    fprintf(stderr, "kctl-netswitch: sandbox: %s\n", strerror(errno));
    return 1;
  }
  for (int i = 0; i < MAX_CTL; i++) ctls[i].fd = ctls[i].passed_fd = -1;
  logf_("kctl-netswitch: serving %s%s\n", dir, "/ctl.sock");

  static struct pollfd pfd[1 + MAX_CTL + MAX_PORTS];
  for (;;) {
    int n = 0;
    pfd[n++] = (struct pollfd){listen_fd, POLLIN, 0};
    for (int i = 0; i < MAX_CTL; i++) pfd[n++] = (struct pollfd){ctls[i].fd, POLLIN, 0};
    int base = n;
    for (int i = 0; i < nports; i++) pfd[n++] = (struct pollfd){ports[i].fd, (short)(POLLIN | (ports[i].txlen ? POLLOUT : 0)), 0};
    if (poll(pfd, (nfds_t)n, -1) < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    if (pfd[0].revents & POLLIN) {
      int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (fd >= 0) {
        int slot = -1;
        for (int i = 0; i < MAX_CTL; i++)
          if (ctls[i].fd < 0) { slot = i; break; }
        if (slot < 0) {
          reply(fd, "err busy\n");
          close(fd);
        } else {
          ctls[slot].fd = fd;
          ctls[slot].len = 0;
          ctls[slot].passed_fd = -1;
        }
      }
    }
    for (int i = 0; i < MAX_CTL; i++) {
      if (ctls[i].fd >= 0 && pfd[1 + i].fd == ctls[i].fd && pfd[1 + i].revents) {
        if (ctl_read(&ctls[i])) ctl_close(i);
      }
    }
    /* Ports: walk by fd, since closing a port moves the last one into its slot. */
    int count = nports;
    for (int k = 0; k < n - base && k < count; k++) {
      struct pollfd *q = &pfd[base + k];
      if (!q->revents) continue;
      int i = -1;
      for (int j = 0; j < nports; j++)
        if (ports[j].fd == q->fd) { i = j; break; }
      if (i < 0) continue;
      const char *why = NULL;
      if ((q->revents & POLLIN) && port_read(i, &why) < 0) { close_port(i, why); continue; }
      if ((q->revents & (POLLHUP | POLLERR)) && !(q->revents & POLLIN)) { close_port(i, "hung up"); continue; }
      if ((q->revents & POLLOUT) && port_write(i, &why) < 0) close_port(i, why);
    }
    /* Frames queued for ports without POLLOUT this round are written now (most writes succeed at once). */
    for (int i = 0; i < nports; i++) {
      const char *why = NULL;
      if (ports[i].txlen && port_write(i, &why) < 0) close_port(i--, why);
    }
  }
}

static int connect_unix(const char *path) {
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  if (snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path) >= (int)sizeof sa.sun_path) {
    fprintf(stderr, "kctl-netswitch: socket path too long: %s\n", path);
    return -1;
  }
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
    fprintf(stderr, "kctl-netswitch: connect %s: %s\n", path, strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
  }
  return fd;
}

/* Sends one command (with fd when >= 0) on the connected control socket c and copies the answer to stdout. Exit 0 on "ok". */
static int command_on(int c, const char *line, int fd) {
  alarm(10);
  struct iovec iov = {(void *)line, strlen(line)};
  char cbuf[CMSG_SPACE(sizeof(int))];
  struct msghdr mh = {0};
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  if (fd >= 0) {
    memset(cbuf, 0, sizeof cbuf);
    mh.msg_control = cbuf;
    mh.msg_controllen = sizeof cbuf;
    struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &fd, sizeof fd);
  }
  if (sendmsg(c, &mh, MSG_NOSIGNAL) < 0) {
    fprintf(stderr, "kctl-netswitch: send: %s\n", strerror(errno));
    return 1;
  }
  char buf[8192];
  size_t len = 0;
  for (;;) {
    ssize_t n = read(c, buf + len, sizeof buf - 1 - len);
    if (n <= 0) break;
    len += (size_t)n;
    if (len == sizeof buf - 1) break;
  }
  buf[len] = 0;
  fputs(buf, stdout);
  if (strncmp(buf, "ok", 2) != 0) {
    fprintf(stderr, "kctl-netswitch: %s", len ? buf : "no answer from the switch\n");
    return 1;
  }
  return 0;
}

static int command(const char *ctl, const char *line, int fd) {
  int c = connect_unix(ctl);
  if (c < 0) return 1;
  return command_on(c, line, fd);
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  if (argc == 4 && strcmp(argv[1], "serve") == 0) return serve(argv[2], argv[3]);
  char line[LINE_MAX_LEN];
  if ((argc == 6 || argc == 7) && strcmp(argv[1], "attach") == 0) {
    uint8_t mac[6];
    if (!valid_name(argv[3]) || parse_mac(argv[4], mac) < 0) { fprintf(stderr, "kctl-netswitch: invalid port name or MAC\n"); return 2; }
    /* The control socket first, as the caller (root); then QEMU's socket as QEMU's own user, so a
       path that a compromised QEMU swapped for a link leads nowhere that user cannot go itself. */
    int c = connect_unix(argv[2]);
    if (c < 0) return 1;
    if (argc == 7) {
      char *end;
      long uid = strtol(argv[6], &end, 10);
      if (*end || uid <= 0 || uid > 0x7fffffff) { fprintf(stderr, "kctl-netswitch: invalid uid %s\n", argv[6]); return 2; }
      if (setgroups(0, NULL) < 0 || setgid((gid_t)uid) < 0 || setuid((uid_t)uid) < 0) {
        fprintf(stderr, "kctl-netswitch: cannot become uid %ld: %s\n", uid, strerror(errno));
        return 1;
      }
    }
    int fd = connect_unix(argv[5]);
    if (fd < 0) return 1;
    snprintf(line, sizeof line, "attach %s %s\n", argv[3], argv[4]);
    return command_on(c, line, fd);
  }
  if (argc == 4 && strcmp(argv[1], "detach") == 0 && valid_name(argv[3])) {
    snprintf(line, sizeof line, "detach %s\n", argv[3]);
    return command(argv[2], line, -1);
  }
  if (argc == 3 && strcmp(argv[1], "list") == 0) return command(argv[2], "list\n", -1);
  fprintf(stderr, "usage: kctl-netswitch serve DIR UID | attach CTL NAME MAC SOCK [UID] | detach CTL NAME | list CTL\n");
  return 2;
}
