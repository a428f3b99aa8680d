/*
 * kctl-cp: reads a path inside a container's root filesystem for `kctl cp`, confined to that root.
 *
 *   kctl-cp stat <root> <path> [--follow]
 *   kctl-cp tar  <root> <path> [--follow] [--name NAME] [--max-depth N]
 *
 * Before it looks at <path> it opens <root>, enters a private mount namespace, chroot()s into the
 * root and closes every other file descriptor (the moby "chrootarchive" model). <path> and every
 * symlink met while resolving it are therefore resolved inside the container: `..` stops at the
 * container's root and an absolute link target names a path in the container, so a link the
 * container planted (`/escape -> /`, `/victim -> /etc/passwd`) cannot make kctl read the host.
 * Symlinks in the parent path are followed (inside the root, as Docker does); the last component is
 * followed only with --follow (`kctl cp -L`). Symlinks inside a copied directory are archived as links.
 *
 * stat prints one JSON line: {"name":..,"size":N,"mode":N,"mtime":N,"linkTarget":..}, with the
 * raw st_mode. tar writes a POSIX (ustar + PAX) archive of <path> to stdout whose entries are named
 * NAME (default: the last component of <path>) and NAME/...; NAME "." archives a directory's
 * contents. Regular files are opened O_NOFOLLOW|O_NONBLOCK and checked to still be regular files,
 * so a FIFO or a swapped-in link is never read. Hard links are archived as separate files; xattrs
 * are not archived.
 *
 * Exit codes:
 *   0  done
 *   1  usage error
 *   2  <path> does not exist in the container (stat: "no such file"; one line on stderr)
 *   3  a limit was exceeded (depth, name length)
 *   5  a filesystem or output error
 *   6  the sandbox could not be set up (needs root: unshare, chroot)
 *   7  a component of <path> other than the last is not a directory
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#define EX_USAGE_ 1
#define EX_NOENT 2
#define EX_LIMIT 3
#define EX_IO 5
#define EX_SANDBOX 6
#define EX_NOTDIR 7

#define BLOCK 512

static unsigned max_depth = 256;

static void die(int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("kctl-cp: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(code);
}

/* ---------------------------------------------------------------- output */

static void write_all(const void *buf, size_t len) {
  const char *p = buf;
  while (len) {
    ssize_t n = write(1, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) die(EX_IO, "write archive: %s", n < 0 ? strerror(errno) : "short write");
    p += n;
    len -= (size_t)n;
  }
}

static void octal(char *dst, size_t width, uint64_t v) {
  /* width includes the terminating NUL; callers check fits_octal first */
  char tmp[32];
  int n = snprintf(tmp, sizeof tmp, "%0*" PRIo64, (int)(width - 1), v);
  if (n < 0 || (size_t)n != width - 1) n = 0, memset(tmp, '0', width - 1);
  memcpy(dst, tmp, width - 1);
  dst[width - 1] = 0;
}

static int fits_octal(uint64_t v, size_t width) {
  return width - 1 >= 22 || v < (1ull << (3 * (width - 1)));
}

/* One PAX record "LEN key=value\n", where LEN counts the whole record. */
static void pax_add(char **buf, size_t *len, const char *key, const char *val) {
  size_t body = strlen(key) + strlen(val) + 3; /* ' ' '=' '\n' */
  size_t digits = 1, total;
  for (;;) {
    total = body + digits;
    size_t d = 0;
    for (size_t t = total; t; t /= 10) d++;
    if (d == digits) break;
    digits = d;
  }
  char *nb = realloc(*buf, *len + total + 1);
  if (!nb) die(EX_IO, "out of memory");
  *buf = nb;
  snprintf(*buf + *len, total + 1, "%zu %s=%s\n", total, key, val);
  *len += total;
}

static void header(char type, const char *name, const char *link, const struct stat *st, uint64_t size);

static void raw_header(char type, const char *name, const char *link, const struct stat *st, uint64_t size) {
  unsigned char h[BLOCK];
  memset(h, 0, sizeof h);
  strncpy((char *)h, name, 100);
  octal((char *)h + 100, 8, st ? (st->st_mode & 07777) : 0644);
  octal((char *)h + 108, 8, st && fits_octal(st->st_uid, 8) ? st->st_uid : 0);
  octal((char *)h + 116, 8, st && fits_octal(st->st_gid, 8) ? st->st_gid : 0);
  octal((char *)h + 124, 12, fits_octal(size, 12) ? size : 0);
  int64_t mt = st ? (int64_t)st->st_mtime : 0;
  octal((char *)h + 136, 12, mt > 0 && fits_octal((uint64_t)mt, 12) ? (uint64_t)mt : 0);
  memset(h + 148, ' ', 8);
  h[156] = (unsigned char)type;
  if (link) strncpy((char *)h + 157, link, 100);
  memcpy(h + 257, "ustar", 6);
  memcpy(h + 263, "00", 2);
  if (st && (type == '3' || type == '4')) {
    octal((char *)h + 329, 8, major(st->st_rdev));
    octal((char *)h + 337, 8, minor(st->st_rdev));
  }
  unsigned sum = 0;
  for (int i = 0; i < BLOCK; i++) sum += h[i];
  char cs[16];
  snprintf(cs, sizeof cs, "%06o", sum & 0777777);
  memcpy(h + 148, cs, 7);
  write_all(h, BLOCK);
}

static void pad(uint64_t size) {
  static const char zero[BLOCK];
  size_t r = (size_t)(size % BLOCK);
  if (r) write_all(zero, BLOCK - r);
}

/* A ustar header, preceded by a PAX header when a field does not fit. */
static void header(char type, const char *name, const char *link, const struct stat *st, uint64_t size) {
  char *pax = NULL;
  size_t plen = 0;
  char num[32];
  if (strlen(name) > 100) pax_add(&pax, &plen, "path", name);
  if (link && strlen(link) > 100) pax_add(&pax, &plen, "linkpath", link);
  if (!fits_octal(size, 12)) { snprintf(num, sizeof num, "%" PRIu64, size); pax_add(&pax, &plen, "size", num); }
  if (st && !fits_octal(st->st_uid, 8)) { snprintf(num, sizeof num, "%u", (unsigned)st->st_uid); pax_add(&pax, &plen, "uid", num); }
  if (st && !fits_octal(st->st_gid, 8)) { snprintf(num, sizeof num, "%u", (unsigned)st->st_gid); pax_add(&pax, &plen, "gid", num); }
  if (pax) {
    raw_header('x', "PaxHeaders/entry", NULL, NULL, plen);
    write_all(pax, plen);
    pad(plen);
    free(pax);
  }
  raw_header(type, name, link, st, size);
}

/* ---------------------------------------------------------------- archive */

static char *read_link_at(int dfd, const char *name, size_t hint) {
  size_t cap = hint + 1 > 256 ? hint + 1 : 256;
  for (;;) {
    char *buf = malloc(cap);
    if (!buf) die(EX_IO, "out of memory");
    ssize_t n = readlinkat(dfd, name, buf, cap);
    if (n < 0) { free(buf); return NULL; }
    if ((size_t)n < cap) { buf[n] = 0; return buf; }
    free(buf);
    if (cap > PATH_MAX * 4) die(EX_LIMIT, "symlink target too long");
    cap *= 2;
  }
}

static void copy_file(int fd, const char *name, const struct stat *st) {
  header('0', name, NULL, st, (uint64_t)st->st_size);
  char buf[65536];
  uint64_t left = (uint64_t)st->st_size;
  while (left) {
    ssize_t n = read(fd, buf, left < sizeof buf ? left : sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die(EX_IO, "read \"%s\": %s", name, strerror(errno));
    if (n == 0) {
      /* The file shrank while we read it: pad with zeros to the size in the header. */
      memset(buf, 0, sizeof buf);
      while (left) {
        size_t k = left < sizeof buf ? left : sizeof buf;
        write_all(buf, k);
        left -= k;
      }
      break;
    }
    write_all(buf, (size_t)n);
    left -= (uint64_t)n;
  }
  pad((uint64_t)st->st_size);
}

static char *join(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  char *s = malloc(la + lb + 2);
  if (!s) die(EX_IO, "out of memory");
  if (!strcmp(a, ".")) { memcpy(s, b, lb + 1); return s; }
  memcpy(s, a, la);
  s[la] = '/';
  memcpy(s + la + 1, b, lb + 1);
  return s;
}

static void archive_dir(int fd, const char *name, unsigned depth);

/* Archives `entry` (in the directory dfd) as `name`, without following a symlink at `entry`. */
static void archive_at(int dfd, const char *entry, const char *name, int follow, unsigned depth) {
  if (depth > max_depth) die(EX_LIMIT, "directory tree deeper than %u levels", max_depth);
  struct stat st;
  if (fstatat(dfd, entry, &st, follow ? 0 : AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno == ENOENT) return; /* removed while we walked */
    die(EX_IO, "stat \"%s\": %s", name, strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) {
    int fd = openat(dfd, entry, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
    if (fd < 0) die(EX_IO, "open directory \"%s\": %s", name, strerror(errno));
    struct stat st2;
    if (fstat(fd, &st2) < 0) die(EX_IO, "stat \"%s\": %s", name, strerror(errno));
    if (strcmp(name, ".")) {
      char *dn = malloc(strlen(name) + 2);
      if (!dn) die(EX_IO, "out of memory");
      sprintf(dn, "%s/", name);
      header('5', dn, NULL, &st2, 0);
      free(dn);
    }
    archive_dir(fd, name, depth);
  } else if (S_ISREG(st.st_mode)) {
    int fd = openat(dfd, entry, O_RDONLY | O_NONBLOCK | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
    if (fd < 0) {
      if (errno == ENOENT || errno == ELOOP) return; /* replaced while we walked */
      die(EX_IO, "open \"%s\": %s", name, strerror(errno));
    }
    struct stat st2;
    if (fstat(fd, &st2) < 0) die(EX_IO, "stat \"%s\": %s", name, strerror(errno));
    if (!S_ISREG(st2.st_mode)) { close(fd); return; }
    copy_file(fd, name, &st2);
    close(fd);
  } else if (S_ISLNK(st.st_mode)) {
    char *target = read_link_at(dfd, entry, (size_t)st.st_size);
    if (!target) return;
    header('2', name, target, &st, 0);
    free(target);
  } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
    header(S_ISCHR(st.st_mode) ? '3' : S_ISBLK(st.st_mode) ? '4' : '6', name, NULL, &st, 0);
  }
  /* sockets are skipped, as tar does */
}

static void archive_dir(int fd, const char *name, unsigned depth) {
  DIR *d = fdopendir(fd);
  if (!d) die(EX_IO, "read directory \"%s\": %s", name, strerror(errno));
  for (;;) {
    errno = 0;
    struct dirent *de = readdir(d);
    if (!de) break;
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
    char *child = join(name, de->d_name);
    archive_at(dirfd(d), de->d_name, child, 0, depth + 1);
    free(child);
  }
  if (errno) die(EX_IO, "read directory \"%s\": %s", name, strerror(errno));
  closedir(d);
}

/* ---------------------------------------------------------------- resolution */

/* Splits <path> into its parent (resolved by the kernel, inside the root) and last component. */
static int open_parent(const char *path, char **last) {
  size_t len = strlen(path);
  if (len == 0 || len > PATH_MAX) die(EX_USAGE_, "path must be 1..%d bytes", PATH_MAX);
  char *p = strdup(path);
  if (!p) die(EX_IO, "out of memory");
  while (len > 1 && p[len - 1] == '/') p[--len] = 0;
  char *slash = strrchr(p, '/');
  const char *parent = "/";
  char *base = p;
  if (slash) {
    *slash = 0;
    base = slash + 1;
    if (slash != p) parent = p;
  }
  if (!*base) base = "."; /* the path was "/" */
  int dfd = open(parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) {
    if (errno == ENOENT) die(EX_NOENT, "no such file or directory: %s", path);
    if (errno == ENOTDIR) die(EX_NOTDIR, "not a directory: %s", parent);
    die(EX_IO, "open \"%s\": %s", parent, strerror(errno));
  }
  *last = strdup(base);
  free(p);
  return dfd;
}

static void json_string(const char *s) {
  putchar('"');
  for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
    if (*c == '"' || *c == '\\') printf("\\%c", *c);
    else if (*c < 0x20 || *c == 0x7f) printf("\\u%04x", *c);
    else putchar(*c);
  }
  putchar('"');
}

/* ---------------------------------------------------------------- sandbox */

static void close_other_fds(void) {
#ifdef SYS_close_range
  if (syscall(SYS_close_range, 3u, ~0u, 0u) == 0) return;
#endif
  long max = sysconf(_SC_OPEN_MAX);
  for (long fd = 3; fd < (max > 0 ? max : 65536); fd++) close((int)fd);
}

static void enter_sandbox(const char *dir) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) die(EX_SANDBOX, "open container root %s: %s", dir, strerror(errno));
  if (unshare(CLONE_NEWNS) < 0) die(EX_SANDBOX, "unshare mount namespace: %s (kctl-cp must run as root)", strerror(errno));
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) die(EX_SANDBOX, "make mounts private: %s", strerror(errno));
  if (fchdir(fd) < 0) die(EX_SANDBOX, "enter container root: %s", strerror(errno));
  if (chroot(".") < 0) die(EX_SANDBOX, "chroot into container root: %s", strerror(errno));
  if (chdir("/") < 0) die(EX_SANDBOX, "chdir /: %s", strerror(errno));
  close(fd);
  close_other_fds();
}

static void usage(void) {
  fprintf(stderr, "usage: kctl-cp stat <root> <path> [--follow]\n"
                  "       kctl-cp tar <root> <path> [--follow] [--name NAME] [--max-depth N]\n");
  exit(EX_USAGE_);
}

int main(int argc, char **argv) {
  if (argc < 4) usage();
  const char *mode = argv[1], *root = argv[2], *path = argv[3], *name = NULL;
  int follow = 0;
  for (int i = 4; i < argc; i++) {
    if (!strcmp(argv[i], "--follow")) follow = 1;
    else if (!strcmp(argv[i], "--name") && i + 1 < argc) name = argv[++i];
    else if (!strcmp(argv[i], "--max-depth") && i + 1 < argc) {
      char *end;
      unsigned long v = strtoul(argv[++i], &end, 10);
      if (*end || v == 0 || v > 4096) usage();
      max_depth = (unsigned)v;
    } else usage();
  }
  if (strcmp(mode, "stat") && strcmp(mode, "tar")) usage();
  if (path[0] != '/') die(EX_USAGE_, "path must be absolute: %s", path);
  if (name && (!*name || strstr(name, "..") || name[0] == '/')) die(EX_USAGE_, "bad archive name: %s", name);
  enter_sandbox(root);

  /* "dir/" names what a link there points to, as the kernel resolves it. */
  size_t plen = strlen(path);
  if (plen > 1 && path[plen - 1] == '/') follow = 1;
  char *last;
  int dfd = open_parent(path, &last);
  struct stat st;
  if (fstatat(dfd, last, &st, follow ? 0 : AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno == ENOENT) die(EX_NOENT, "no such file or directory: %s", path);
    if (errno == ENOTDIR) die(EX_NOTDIR, "not a directory: %s", path);
    die(EX_IO, "stat \"%s\": %s", path, strerror(errno));
  }
  /* "dir/" names a directory: a file there is an error, as in Docker. */
  if (plen > 1 && path[plen - 1] == '/' && !S_ISDIR(st.st_mode)) die(EX_NOTDIR, "not a directory: %s", path);

  if (!strcmp(mode, "stat")) {
    printf("{\"name\":");
    json_string(strcmp(last, ".") ? last : "/");
    printf(",\"size\":%" PRId64 ",\"mode\":%u,\"mtime\":%" PRId64 ",\"linkTarget\":", (int64_t)st.st_size, (unsigned)st.st_mode, (int64_t)st.st_mtime);
    char *target = S_ISLNK(st.st_mode) ? read_link_at(dfd, last, (size_t)st.st_size) : NULL;
    json_string(target ? target : "");
    printf("}\n");
    free(target);
    return fflush(stdout) ? EX_IO : 0;
  }

  if (!name) name = strcmp(last, ".") ? last : ".";
  archive_at(dfd, last, name, follow, 0);
  static const char zero[BLOCK * 2];
  write_all(zero, sizeof zero);
  return 0;
}
