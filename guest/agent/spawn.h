/* Process creation inside the container: namespaces, root, /dev, user, stdio, execve. */
#ifndef KCTL_SPAWN_H
#define KCTL_SPAWN_H

#include "proto.h"

/* Where the agent mounts extra virtio-fs shares (SHARES_DIR/<tag>) and writes FILE contents (FILES_DIR/<n>). */
#define SHARES_DIR "/run/kctl/shares"
#define FILES_DIR "/run/kctl/files"

/* Sent by the child over its setup socket when it fails before execve. */
struct setup_msg {
  int32_t kind; /* enum kp_fail */
  int32_t err;  /* errno */
  char msg[480];
};

struct child_args {
  const struct kp_spec *spec;
  int sock;              /* setup socket (SEQPACKET): pty master and failures go to the agent */
  int in, out, err;      /* pipe ends for the process (-1 with a tty; in = -1 without stdin) */
  int is_init;
  const char *rootfs;    /* where the agent mounted the virtio-fs share */
  int ns_ipc, ns_uts, ns_mnt; /* for EXEC: the container's namespaces */
};

_Noreturn void child_main(const struct child_args *a);

/* User lookup in passwd/group text (exposed for the fuzz harness). Returns 0, or -1 with msg set. */
struct kp_user {
  unsigned uid, gid;
  const char *home;
  unsigned groups[64];
  int ngroups;
  char homebuf[256];
};
int kp_resolve_user(const char *spec, const char *passwd, const char *group, struct kp_user *u, char *msg, size_t msglen);

#endif
