/*
 * kctl-peercred: prints the credentials of the process at the other end of the unix socket on
 * stdin, as "pid uid gid" (SO_PEERCRED, recorded by the kernel when that process connected).
 * kctld runs it for every connection to its sockets (Node has no getsockopt) and refuses peers
 * whose uid is not allowed. Exit codes: 0 ok, 1 stdin is not a connected unix socket.
 */
#include <stdio.h>
#include <sys/socket.h>

int main(void) {
  struct ucred cred;
  socklen_t len = sizeof cred;
  if (getsockopt(0, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof cred) {
    perror("kctl-peercred: getsockopt(SO_PEERCRED) on stdin");
    return 1;
  }
  printf("%ld %ld %ld\n", (long)cred.pid, (long)cred.uid, (long)cred.gid);
  return 0;
}
