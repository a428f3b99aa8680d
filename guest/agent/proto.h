/*
 * kctl agent wire protocol: frame decoder and record parsers.
 * Everything here is pure (no I/O) so that the fuzz harness exercises exactly the code the agent runs.
 * See PROTOCOL.md for the specification.
 */
#ifndef KCTL_PROTO_H
#define KCTL_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define KP_VERSION 1
#define KP_HDR 9                       /* u32 length, u8 type, u32 id */
#define KP_MAX_PAYLOAD (1024u * 1024u) /* 1 MiB */
#define KP_MAX_ARGS 1024
#define KP_MAX_ENV 1024
#define KP_MAX_STR 65536               /* any single string in a spec */
#define KP_MAX_PATH 4096
#define KP_MAX_USER 256
#define KP_MAX_HOSTNAME 64
#define KP_MAX_TAG 36
#define KP_MAX_SUBDIR 64               /* ROOTFS_SUBDIR: one path component */
#define KP_MAX_PING 64
#define KP_MAX_MOUNTS 64                /* MOUNT records per START */
#define KP_MAX_FILES 8                  /* FILE records per START */
#define KP_MAX_DENY 16                  /* NET_DENY records per START */
#define KP_MAX_NETIF 8                  /* NET_IF records per START */

enum kp_type {
  KP_HELLO = 1, KP_HELLO_ACK = 2, KP_START = 3, KP_EXEC = 4, KP_STARTED = 5, KP_START_FAILED = 6,
  KP_STDIN = 7, KP_STDIN_CLOSE = 8, KP_STDOUT = 9, KP_STDERR = 10, KP_CREDIT = 11, KP_SIGNAL = 12,
  KP_RESIZE = 13, KP_EXIT = 14, KP_EXIT_ACK = 15, KP_PROC_STATE = 16, KP_SHUTDOWN = 17, KP_PING = 18,
  KP_PONG = 19, KP_ERROR = 20, KP_QUERY = 21, KP_QUERY_REPLY = 22, KP_UPDATE_FILE = 23,
};

/* QUERY kinds: what the host asks about the VM and its container. */
enum kp_query { KQ_STATS = 1, KQ_PROCS = 2 };

enum kp_tag {
  KT_ARG = 1, KT_ENV = 2, KT_CWD = 3, KT_USER = 4, KT_HOSTNAME = 5, KT_TTY = 6, KT_STDIN = 7,
  KT_ROWS = 8, KT_COLS = 9, KT_ROOTFS_TAG = 10, KT_READONLY_ROOTFS = 11, KT_CAPS = 12,
  KT_NET = 13, KT_NET_DENY = 14, KT_MOUNT = 15, KT_FILE = 16, KT_INIT = 17, KT_NET_IF = 18,
  KT_ROOTFS_SUBDIR = 24,
  KT_AGENT_VERSION = 0x100, KT_KERNEL_RELEASE = 0x101, KT_VCPUS = 0x102, KT_MEM_KIB = 0x103,
  KT_BOOT_MS = 0x104, KT_PROCS = 0x105,
};

enum kp_fail { KF_NOT_FOUND = 1, KF_CANNOT_INVOKE = 2, KF_INVALID = 3, KF_FAILED = 4, KF_NOT_RUNNING = 5 };

struct kp_frame {
  uint8_t type;
  uint32_t id;
  const uint8_t *payload;
  uint32_t len;
};

/* Incremental decoder. The buffer is allocated once (header + max payload) and never grows. */
struct kp_dec {
  uint8_t *buf;
  size_t have;
};

int kp_dec_init(struct kp_dec *d);
void kp_dec_free(struct kp_dec *d);
void kp_dec_reset(struct kp_dec *d);
/*
 * Consumes bytes from data[0..n). Returns 1 with *out set when a frame is complete (out->payload points
 * into the decoder and is valid until the next call), 0 when all input was consumed without completing
 * a frame, -1 on a protocol error (err filled). *used says how many bytes were consumed.
 */
int kp_dec_feed(struct kp_dec *d, const uint8_t *data, size_t n, size_t *used, struct kp_frame *out,
                char *err, size_t errlen);

/* A process or container spec decoded from START / EXEC. Strings are NUL-terminated, owned by arena. */
struct kp_spec {
  char *arena;
  char **argv; /* NULL-terminated */
  char **envp; /* NULL-terminated */
  int argc, envc;
  const char *cwd, *user, *hostname, *rootfs_tag;
  const char *rootfs_subdir; /* ROOTFS_SUBDIR: the container root is this directory of the share, or NULL */
  int tty, open_stdin, readonly_rootfs;
  int init; /* START only: a minimal init runs as the container's PID 1 and forks the command */
  unsigned rows, cols;
  uint64_t caps; /* capability bounding set; Docker's default set when absent */
  /* Network (START only): eth0's IPv4 address, prefix and default gateway; has_net = 0 leaves only lo. */
  int has_net;
  uint32_t net_addr, net_gw; /* host byte order */
  unsigned net_prefix;
  uint32_t deny[KP_MAX_DENY]; /* IPv4 hosts the container must not reach (unreachable routes) */
  int ndeny;
  /* NICs on user-defined networks (START only): found by MAC, given an address, no route beyond the subnet. */
  struct kp_netif { uint8_t mac[6]; uint32_t addr; unsigned prefix; } netifs[KP_MAX_NETIF];
  int nnetifs;
  struct kp_mount *mounts;   /* in the order given: parents before children */
  int nmounts;
  struct kp_file *files;
  int nfiles;
};

enum kp_mount_type { KM_SHARE = 1, KM_TMPFS = 2 };

/* A MOUNT record: "share\n<tag>\n<ro|rw>\n<target>" or "tmpfs\n\n<options>\n<target>". */
struct kp_mount {
  int type;
  const char *source;  /* share: virtio-fs tag */
  const char *target;  /* absolute, no "." or ".." components, resolved inside the container root */
  int readonly;
  unsigned long flags; /* tmpfs: MS_* flags */
  char data[96];       /* tmpfs: "size=...,mode=..." */
};

/* A FILE record: "<target>\n<content>": a file the agent bind-mounts over the target (/etc/hosts). */
struct kp_file {
  const char *target;
  const char *content;
  size_t len;
};

/* Docker's default capabilities: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP
   NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP. */
#define KP_DEFAULT_CAPS 0xa80425fbull

/* Parses "a.b.c.d" (no leading zeros, no trailing bytes) into host byte order. Returns 0 or -1. */
int kp_parse_ipv4(const char *s, size_t n, uint32_t *out);
/* Checks a mount target: absolute, at most KP_MAX_PATH bytes, no empty, "." or ".." components, not "/". */
int kp_valid_target(const char *s);
int kp_valid_subdir(const char *s);

int kp_parse_spec(const uint8_t *p, size_t n, int is_start, struct kp_spec *out, char *err, size_t errlen);
void kp_spec_free(struct kp_spec *s);

/* Checks the fixed-size payloads of host->guest frames. Returns 0 or -1 (err filled). */
int kp_validate_host_frame(const struct kp_frame *f, char *err, size_t errlen);

static inline uint32_t kp_get32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint16_t kp_get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline void kp_put32(uint8_t *p, uint32_t v) {
  p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}
static inline void kp_put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v; }

#endif
