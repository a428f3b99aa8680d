/*
 * kctl-untar: applies one uncompressed OCI/Docker layer tar stream (stdin) to a layer directory,
 * confined to that directory.
 *
 *   kctl-untar <layer-dir> [--max-bytes N] [--max-entries N] [--max-path N] [--max-depth N] [--into DIR] [--sha256]
 *
 * Before reading a single byte of the stream it opens <layer-dir>, enters a private mount
 * namespace, chroot()s into the directory and closes every other file descriptor (the moby
 * "chrootarchive" model). From then on no path from the image can name anything outside the layer:
 * `..` stops at the root, absolute names and absolute symlink targets resolve inside it, and the
 * image cannot influence the directory that was chosen as root.
 *
 * Supported: ustar, GNU long names/links (L/K), PAX extended headers (path, linkpath, size, mtime,
 * uid, gid, SCHILY.xattr.*); regular files, directories, symlinks, hard links (the target is
 * resolved inside the root), character/block devices and FIFOs; modes including setuid/setgid/
 * sticky (applied after the owner), owners, mtimes (directories' at the end), xattrs
 * security.capability and user.* (trusted.* and user.overlay.* from an image reject the layer;
 * other namespaces are ignored). Metadata operations never follow symlinks.
 *
 * Layer semantics: a path that changes type is removed first; the same path twice: the last wins;
 * entries naming the root itself are ignored for directories and rejected otherwise. OCI whiteouts
 * are written in overlayfs form, because the container root filesystem is an overlay mount of the
 * layer directories: `.wh.<name>` becomes a 0:0 character device 0/0 at <name>, and the opaque
 * marker `.wh..wh..opq` becomes the xattr trusted.overlay.opaque="y" on its directory. A whiteout
 * naming `.` or `..`, or one whose parent path crosses a symlink, rejects the layer.
 *
 * --into DIR (`kctl cp` into a container): after the chroot, DIR is resolved inside the root (its
 * symlinks stay inside) and must be a directory; the archive is applied to it as if it were the
 * root, so no entry reaches above it.
 *
 * On success it prints one JSON line on stdout: {"entries":N,"bytes":N,"dataBytes":N}; with --sha256
 * also "sha256":"<hex>", the digest of every byte of the stream up to its end (a layer's DiffID, which
 * the caller compares with the image config). Hashing here rather than in the caller takes it off
 * the caller's decompression path: kctld's gunzip and this program's hashing and writing then run on
 * two cores side by side (OpenSSL's SHA-256, with the CPU's SHA extensions where it has them).
 * On failure it prints one line on stderr naming the offending entry.
 *
 * Exit codes:
 *   0  layer applied
 *   1  usage error
 *   2  malformed archive (bad header, checksum, truncated stream, unsupported entry type)
 *   3  a limit was exceeded (bytes, entries, path length, depth, header size)
 *   4  an entry was refused as unsafe (root replacement, whiteout escape, overlay xattr, ...)
 *   5  a filesystem operation failed (I/O error, no space, ...)
 *   6  the sandbox could not be set up (needs root: unshare, chroot)
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
#include <sys/xattr.h>
#include <time.h>
#include <openssl/sha.h>
#include <unistd.h>

#define EX_USAGE_ 1
#define EX_FORMAT 2
#define EX_LIMIT 3
#define EX_UNSAFE 4
#define EX_IO 5
#define EX_SANDBOX 6

#define BLOCK 512
#define MAX_PAX (1u << 20)          /* one PAX/GNU header record set */
#define WHITEOUT ".wh."
#define OPAQUE ".wh..wh..opq"

static uint64_t max_bytes = 64ull << 30;
static uint64_t max_entries = 1000000;
static size_t max_path = 4096;
static unsigned max_depth = 256;

static uint64_t total_read;   /* bytes consumed from stdin */
static int hashing;           /* --sha256 */
static SHA256_CTX sha;
static uint64_t data_bytes;   /* regular file payload written */
static uint64_t entries;
static const char *cur_entry = "";

static void die(int code, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
static void die(int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("kctl-untar: ", stderr);
  if (cur_entry && *cur_entry) fprintf(stderr, "entry \"%.200s\": ", cur_entry);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(code);
}

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) die(EX_IO, "out of memory");
  return p;
}

/* ---------------------------------------------------------------- input */

static unsigned char inbuf[1 << 16];
static size_t in_pos, in_len;
static int in_eof;

/* Reads exactly n bytes; returns 0 on clean EOF before the first byte, dies on a short read. */
static int read_full(void *dst, size_t n) {
  unsigned char *d = dst;
  size_t got = 0;
  while (got < n) {
    if (in_pos == in_len) {
      if (in_eof) break;
      ssize_t r = read(0, inbuf, sizeof inbuf);
      if (r < 0) {
        if (errno == EINTR) continue;
        die(EX_IO, "reading the layer stream: %s", strerror(errno));
      }
      if (r == 0) { in_eof = 1; break; }
      in_pos = 0;
      in_len = (size_t)r;
      total_read += (uint64_t)r;
      if (hashing) SHA256_Update(&sha, inbuf, (size_t)r);
      if (total_read > max_bytes) die(EX_LIMIT, "layer is larger than the limit of %" PRIu64 " bytes", max_bytes);
    }
    size_t k = in_len - in_pos;
    if (k > n - got) k = n - got;
    if (d) memcpy(d + got, inbuf + in_pos, k);
    in_pos += k;
    got += k;
  }
  if (got == 0 && n > 0) return 0;
  if (got < n) die(EX_FORMAT, "unexpected end of the layer stream (truncated archive)");
  return 1;
}

static void skip_bytes(uint64_t n) {
  unsigned char tmp[8192];
  while (n > 0) {
    size_t k = n > sizeof tmp ? sizeof tmp : (size_t)n;
    if (!read_full(tmp, k)) die(EX_FORMAT, "unexpected end of the layer stream (truncated archive)");
    n -= k;
  }
}

static uint64_t padding(uint64_t size) { return (BLOCK - size % BLOCK) % BLOCK; }

/* ---------------------------------------------------------------- header fields */

static int parse_num(const unsigned char *f, size_t len, uint64_t *out) {
  if (f[0] & 0x80) { /* base-256 */
    if (f[0] == 0xff) return -1; /* negative */
    uint64_t v = f[0] & 0x7f;
    for (size_t i = 1; i < len; i++) {
      if (v >> 56) return -1;
      v = (v << 8) | f[i];
    }
    *out = v;
    return 0;
  }
  size_t i = 0;
  while (i < len && (f[i] == ' ' || f[i] == 0)) i++;
  uint64_t v = 0;
  int any = 0;
  for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
    if (v >> 60) return -1;
    v = v * 8 + (uint64_t)(f[i] - '0');
    any = 1;
  }
  for (; i < len; i++)
    if (f[i] != ' ' && f[i] != 0) return -1;
  *out = any ? v : 0;
  return 0;
}

static int checksum_ok(const unsigned char *h) {
  uint64_t want;
  if (parse_num(h + 148, 8, &want) < 0) return 0;
  uint64_t us = 0;
  int64_t ss = 0;
  for (int i = 0; i < BLOCK; i++) {
    unsigned char c = (i >= 148 && i < 156) ? ' ' : h[i];
    us += c;
    ss += (signed char)c;
  }
  return us == want || (uint64_t)ss == want;
}

static char *field_str(const unsigned char *f, size_t len) {
  size_t n = strnlen((const char *)f, len);
  char *s = xmalloc(n + 1);
  memcpy(s, f, n);
  s[n] = 0;
  return s;
}

/* ---------------------------------------------------------------- entry state */

struct xattr { char *name; char *value; size_t len; struct xattr *next; };

struct entry {
  char type;
  char *name;
  char *linkname;
  uint64_t size, mode, uid, gid, devmajor, devminor;
  struct timespec mtime;
  struct xattr *xattrs;
};

/* Values carried by PAX/GNU headers into the next real entry. */
struct pending {
  char *path, *linkpath;
  int has_size, has_mtime, has_uid, has_gid;
  uint64_t size, uid, gid;
  struct timespec mtime;
  struct xattr *xattrs;
};

static void free_xattrs(struct xattr *x) {
  while (x) { struct xattr *n = x->next; free(x->name); free(x->value); free(x); x = n; }
}

static void reset_pending(struct pending *p) {
  free(p->path);
  free(p->linkpath);
  free_xattrs(p->xattrs);
  memset(p, 0, sizeof *p);
}

static char *read_blob(uint64_t size, const char *what) {
  if (size > MAX_PAX) die(EX_LIMIT, "%s header of %" PRIu64 " bytes exceeds the limit of %u", what, size, MAX_PAX);
  char *b = xmalloc((size_t)size + 1);
  if (!read_full(b, (size_t)size)) die(EX_FORMAT, "unexpected end of the layer stream in a %s header", what);
  b[size] = 0;
  skip_bytes(padding(size));
  return b;
}

static int parse_time(const char *v, struct timespec *ts) {
  char *end;
  errno = 0;
  long long sec = strtoll(v, &end, 10);
  if (errno || end == v) return -1;
  long nsec = 0;
  if (*end == '.') {
    end++;
    int digits = 0;
    while (*end >= '0' && *end <= '9') {
      if (digits < 9) { nsec = nsec * 10 + (*end - '0'); digits++; }
      end++;
    }
    while (digits++ < 9) nsec *= 10;
    if (sec < 0) nsec = -nsec; /* "-1.5" */
  }
  if (*end) return -1;
  if (nsec < 0) { sec -= 1; nsec += 1000000000L; }
  ts->tv_sec = (time_t)sec;
  ts->tv_nsec = nsec;
  return 0;
}

static int parse_u64(const char *v, uint64_t *out) {
  char *end;
  if (!*v || *v == '-') return -1;
  errno = 0;
  unsigned long long x = strtoull(v, &end, 10);
  if (errno || *end) return -1;
  *out = x;
  return 0;
}

/* PAX records: "<len> <key>=<value>\n", len counting the whole record. */
static void parse_pax(char *b, size_t n, struct pending *p, int global) {
  size_t off = 0;
  while (off < n) {
    size_t i = off, len = 0;
    while (i < n && b[i] >= '0' && b[i] <= '9' && len < MAX_PAX) len = len * 10 + (size_t)(b[i++] - '0');
    if (i >= n || b[i] != ' ' || len == 0 || len > n - off) die(EX_FORMAT, "malformed PAX record");
    char *rec = b + i + 1, *recend = b + off + len - 1;
    if (*recend != '\n') die(EX_FORMAT, "malformed PAX record");
    char *eq = memchr(rec, '=', (size_t)(recend - rec));
    if (!eq) die(EX_FORMAT, "malformed PAX record");
    *eq = 0;
    char *key = rec, *val = eq + 1;
    size_t vlen = (size_t)(recend - val);
    off += len;
    if (global) continue; /* global headers carry nothing kctl applies */
    int has_nul = memchr(val, 0, vlen) != NULL;
    *recend = 0;
    if (!strcmp(key, "path")) {
      if (has_nul) die(EX_UNSAFE, "PAX path contains a NUL byte");
      free(p->path); p->path = strdup(val);
    } else if (!strcmp(key, "linkpath")) {
      if (has_nul) die(EX_UNSAFE, "PAX linkpath contains a NUL byte");
      free(p->linkpath); p->linkpath = strdup(val);
    } else if (!strcmp(key, "size")) {
      if (parse_u64(val, &p->size) < 0) die(EX_FORMAT, "malformed PAX size");
      p->has_size = 1;
    } else if (!strcmp(key, "uid")) {
      if (parse_u64(val, &p->uid) < 0 || p->uid > UINT32_MAX - 1) die(EX_FORMAT, "malformed PAX uid");
      p->has_uid = 1;
    } else if (!strcmp(key, "gid")) {
      if (parse_u64(val, &p->gid) < 0 || p->gid > UINT32_MAX - 1) die(EX_FORMAT, "malformed PAX gid");
      p->has_gid = 1;
    } else if (!strcmp(key, "mtime")) {
      if (parse_time(val, &p->mtime) < 0) die(EX_FORMAT, "malformed PAX mtime");
      p->has_mtime = 1;
    } else if (!strncmp(key, "SCHILY.xattr.", 13)) {
      struct xattr *x = xmalloc(sizeof *x);
      x->name = strdup(key + 13);
      x->value = xmalloc(vlen + 1);
      memcpy(x->value, val, vlen);
      x->len = vlen;
      x->next = p->xattrs;
      p->xattrs = x;
    }
  }
}

/* Reads the next real entry, folding in PAX and GNU long-name headers. Returns 0 at the end. */
static int next_entry(struct entry *e) {
  unsigned char h[BLOCK];
  struct pending p;
  memset(&p, 0, sizeof p);
  for (;;) {
    if (!read_full(h, BLOCK)) die(EX_FORMAT, "the layer stream ended without an end-of-archive marker");
    int zero = 1;
    for (int i = 0; i < BLOCK; i++) if (h[i]) { zero = 0; break; }
    if (zero) { reset_pending(&p); return 0; }
    if (!checksum_ok(h)) die(EX_FORMAT, "bad tar header checksum (corrupt or not a tar stream)");
    uint64_t size;
    if (parse_num(h + 124, 12, &size) < 0) die(EX_FORMAT, "bad size field in a tar header");
    char type = (char)h[156];
    if (type == 'x' || type == 'g') {
      char *b = read_blob(size, "PAX");
      parse_pax(b, (size_t)size, &p, type == 'g');
      free(b);
      continue;
    }
    if (type == 'L' || type == 'K') {
      if (size > max_path + 1) die(EX_LIMIT, "GNU long %s of %" PRIu64 " bytes exceeds the path limit %zu", type == 'L' ? "name" : "link", size, max_path);
      char *b = read_blob(size, "GNU long name");
      if (type == 'L') { free(p.path); p.path = b; } else { free(p.linkpath); p.linkpath = b; }
      continue;
    }
    if (++entries > max_entries) die(EX_LIMIT, "layer has more than %" PRIu64 " entries", max_entries);
    memset(e, 0, sizeof *e);
    e->type = type;
    if (p.path) {
      e->name = p.path; p.path = NULL;
    } else {
      char *name = field_str(h, 100);
      if (!memcmp(h + 257, "ustar\0", 6) && h[345]) {
        char *prefix = field_str(h + 345, 155);
        e->name = xmalloc(strlen(prefix) + strlen(name) + 2);
        sprintf(e->name, "%s/%s", prefix, name);
        free(prefix);
        free(name);
      } else {
        e->name = name;
      }
    }
    if (p.linkpath) { e->linkname = p.linkpath; p.linkpath = NULL; }
    else e->linkname = field_str(h + 157, 100);
    cur_entry = e->name;
    if (parse_num(h + 100, 8, &e->mode) < 0 || parse_num(h + 108, 8, &e->uid) < 0 ||
        parse_num(h + 116, 8, &e->gid) < 0 || parse_num(h + 329, 8, &e->devmajor) < 0 ||
        parse_num(h + 337, 8, &e->devminor) < 0)
      die(EX_FORMAT, "bad numeric field in the tar header");
    uint64_t mt;
    if (parse_num(h + 136, 12, &mt) < 0) die(EX_FORMAT, "bad mtime field in the tar header");
    e->mtime.tv_sec = (time_t)mt;
    e->size = p.has_size ? p.size : size;
    if (p.has_uid) e->uid = p.uid;
    if (p.has_gid) e->gid = p.gid;
    if (p.has_mtime) e->mtime = p.mtime;
    if (e->uid > UINT32_MAX - 1 || e->gid > UINT32_MAX - 1) die(EX_FORMAT, "owner id out of range");
    e->mode &= 07777;
    e->xattrs = p.xattrs; p.xattrs = NULL;
    reset_pending(&p);
    if (strlen(e->name) > max_path || strlen(e->linkname) > max_path)
      die(EX_LIMIT, "path longer than the limit of %zu bytes", max_path);
    return 1;
  }
}

static void free_entry(struct entry *e) {
  free(e->name);
  free(e->linkname);
  free_xattrs(e->xattrs);
  cur_entry = "";
}

/* ---------------------------------------------------------------- paths */

/* Splits a name into clean components: "", "." dropped, ".." pops (never above the root). */
static int split_path(const char *name, char ***out) {
  size_t cap = 8, n = 0;
  char **v = xmalloc(cap * sizeof *v);
  char *copy = strdup(name), *save = NULL;
  for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
    if (!strcmp(c, ".")) continue;
    if (!strcmp(c, "..")) { if (n) free(v[--n]); continue; }
    if (strlen(c) > NAME_MAX) die(EX_LIMIT, "path component longer than %d bytes", NAME_MAX);
    if (n == cap) { cap *= 2; v = realloc(v, cap * sizeof *v); if (!v) die(EX_IO, "out of memory"); }
    v[n++] = strdup(c);
  }
  free(copy);
  if (n > max_depth) die(EX_LIMIT, "path deeper than the limit of %u components", max_depth);
  *out = v;
  return (int)n;
}

static void free_comps(char **v, int n) {
  for (int i = 0; i < n; i++) free(v[i]);
  free(v);
}

static char *join_comps(char **v, int n) {
  size_t len = 2;
  for (int i = 0; i < n; i++) len += strlen(v[i]) + 1;
  char *s = xmalloc(len), *p = s;
  *p++ = '/';
  for (int i = 0; i < n; i++) {
    size_t l = strlen(v[i]);
    memcpy(p, v[i], l);
    p += l;
    if (i + 1 < n) *p++ = '/';
  }
  *p = 0;
  return s;
}

/* Opens directory `name` under dfd (O_PATH), creating it as a 0755 root dir when missing. */
static int open_dir_step(int dfd, const char *name, int follow) {
  int fd = openat(dfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
  if (fd < 0 && errno == ENOENT) {
    if (mkdirat(dfd, name, 0755) < 0 && errno != EEXIST) die(EX_IO, "create parent directory \"%s\": %s", name, strerror(errno));
    fd = openat(dfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
  }
  if (fd < 0) {
    int err = errno;
    struct stat st;
    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
      if (!follow) die(EX_UNSAFE, "parent \"%s\" is a symlink (refused for whiteouts)", name);
      die(EX_UNSAFE, "parent \"%s\" is a symlink to a missing directory", name);
    }
    if (err == ENOTDIR || err == ELOOP) die(EX_FORMAT, "parent \"%s\" is not a directory", name);
    die(EX_IO, "open parent \"%s\": %s", name, strerror(err));
  }
  return fd;
}

static int root_fd = -1; /* "/" of the sandbox (after --into); no entry can replace it */

static int sandbox_root(void) {
  if (root_fd < 0) {
    root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root_fd < 0) die(EX_IO, "open root: %s", strerror(errno));
  }
  return root_fd;
}

/*
 * Opens the directory holding component n-1 of v without following a symlink anywhere in the
 * parent path (a symlink rejects the entry), creating missing parents. The caller closes it.
 */
static int open_parent_nofollow(char **v, int n) {
  int dfd = dup(sandbox_root());
  if (dfd < 0) die(EX_IO, "dup root: %s", strerror(errno));
  for (int i = 0; i < n - 1; i++) {
    int fd = open_dir_step(dfd, v[i], 0);
    close(dfd);
    dfd = fd;
  }
  return dfd;
}

/*
 * The parent directories of the previous entry: pc_fd[i] is the directory that the path
 * pc_name[0]/.../pc_name[i] resolved to. Entries come in directory order, so the next one usually
 * shares most of its parent path and needs one openat instead of one per component.
 *
 * A cached fd stands for its path only while no name the path resolved through has changed. The
 * applier changes existing names only by removing them (remove_tree_at: a type change, a whiteout)
 * and otherwise only adds names that did not exist (O_EXCL creates, mkdirat, symlinkat, mknodat,
 * linkat), which cannot alter a resolution that succeeded. So the cache is dropped before every
 * removal and every whiteout (and every hard link, which needs no cache). Nothing is ever renamed,
 * so no cached directory can move out from under the root.
 */
#define PC_MAX 64 /* cached levels; deeper parents are opened per entry */
static char *pc_name[PC_MAX];
static int pc_fd[PC_MAX];
static int pc_n;

/* Keeps the first `keep` cached levels and closes the rest. */
static void parent_cache_truncate(int keep) {
  while (pc_n > keep) {
    pc_n--;
    close(pc_fd[pc_n]);
    free(pc_name[pc_n]);
  }
}

static void parent_cache_drop(void) { parent_cache_truncate(0); }

/*
 * Returns the directory holding component n-1 of v, following symlinked parents (they can only
 * resolve inside the root: we are chrooted) and creating missing ones as 0755 root dirs. The fd is
 * borrowed from the cache unless *owned is set, in which case the caller closes it.
 */
static int parent_dir(char **v, int n, int *owned) {
  int k = 0;
  while (k < pc_n && k < n - 1 && !strcmp(pc_name[k], v[k])) k++;
  parent_cache_truncate(k);
  int dfd = k ? pc_fd[k - 1] : sandbox_root();
  *owned = 0;
  for (int i = k; i < n - 1; i++) {
    int fd = open_dir_step(dfd, v[i], 1);
    if (*owned) close(dfd);
    if (pc_n < PC_MAX && !*owned) {
      pc_name[pc_n] = strdup(v[i]);
      if (!pc_name[pc_n]) die(EX_IO, "out of memory");
      pc_fd[pc_n++] = fd;
    } else {
      *owned = 1;
    }
    dfd = fd;
  }
  return dfd;
}

static void remove_tree_at(int dfd, const char *name, unsigned depth);

static void remove_dir_contents(int fd, unsigned depth) {
  DIR *d = fdopendir(fd);
  if (!d) die(EX_IO, "open directory for removal: %s", strerror(errno));
  /* Repeat full passes until a pass finds nothing: removal while iterating may skip entries. */
  for (int removed = 1; removed;) {
    removed = 0;
    rewinddir(d);
    struct dirent *de;
    for (;;) {
      errno = 0;
      de = readdir(d);
      if (!de) break;
      if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
      remove_tree_at(dirfd(d), de->d_name, depth + 1);
      removed = 1;
    }
    if (errno) die(EX_IO, "read directory for removal: %s", strerror(errno));
  }
  closedir(d);
}

/* Removes name (any type) under dfd without following symlinks. */
static void remove_tree_at(int dfd, const char *name, unsigned depth) {
  if (depth > max_depth + 8) die(EX_LIMIT, "directory tree too deep to remove");
  if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT) return;
  if (errno != EISDIR && errno != EPERM) die(EX_IO, "remove \"%s\": %s", name, strerror(errno));
  int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) die(EX_IO, "open \"%s\" for removal: %s", name, strerror(errno));
  remove_dir_contents(fd, depth);
  if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT) die(EX_IO, "remove directory \"%s\": %s", name, strerror(errno));
}

/* ---------------------------------------------------------------- metadata */

static void apply_xattrs_fd(int fd, struct xattr *x) {
  for (; x; x = x->next) {
    if (!strncmp(x->name, "user.", 5) || !strcmp(x->name, "security.capability")) {
      if (fsetxattr(fd, x->name, x->value, x->len, 0) < 0 && errno != ENOTSUP)
        die(EX_IO, "set xattr %s: %s", x->name, strerror(errno));
    }
  }
}

static void check_xattrs(struct xattr *x) {
  for (; x; x = x->next) {
    if (!strncmp(x->name, "trusted.", 8) || !strncmp(x->name, "user.overlay.", 13))
      die(EX_UNSAFE, "xattr %s is refused (only kctl sets overlay attributes)", x->name);
  }
}

struct dirtime { char *path; struct timespec mtime; struct dirtime *next; };
static struct dirtime *dirtimes;

/* ---------------------------------------------------------------- apply */

static void write_data(int fd, uint64_t size) {
  unsigned char buf[1 << 16];
  uint64_t left = size;
  while (left > 0) {
    size_t k = left > sizeof buf ? sizeof buf : (size_t)left;
    if (!read_full(buf, k)) die(EX_FORMAT, "unexpected end of the layer stream inside file data");
    size_t off = 0;
    while (off < k) {
      ssize_t w = write(fd, buf + off, k - off);
      if (w < 0) {
        if (errno == EINTR) continue;
        die(EX_IO, "write: %s", strerror(errno));
      }
      off += (size_t)w;
    }
    left -= k;
  }
  data_bytes += size;
  skip_bytes(padding(size));
}

static void apply_whiteout(char **v, int n) {
  const char *base = v[n - 1];
  parent_cache_drop();
  int dfd = open_parent_nofollow(v, n);
  if (!strcmp(base, OPAQUE)) {
    /* open_parent_nofollow returned the directory holding the marker: that directory becomes opaque. */
    int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) die(EX_IO, "open opaque directory: %s", strerror(errno));
    if (fsetxattr(fd, "trusted.overlay.opaque", "y", 1, 0) < 0) die(EX_IO, "mark directory opaque: %s", strerror(errno));
    close(fd);
    close(dfd);
    return;
  }
  const char *target = base + strlen(WHITEOUT);
  if (!strncmp(base, WHITEOUT WHITEOUT, 8)) { close(dfd); return; } /* other AUFS metadata: ignored */
  if (!*target || !strcmp(target, ".") || !strcmp(target, "..") || strchr(target, '/'))
    die(EX_UNSAFE, "invalid whiteout name");
  struct stat st;
  if (fstatat(dfd, target, &st, AT_SYMLINK_NOFOLLOW) == 0) remove_tree_at(dfd, target, 0);
  if (mknodat(dfd, target, S_IFCHR | 0000, makedev(0, 0)) < 0) die(EX_IO, "create whiteout: %s", strerror(errno));
  if (fchownat(dfd, target, 0, 0, AT_SYMLINK_NOFOLLOW) < 0) die(EX_IO, "chown whiteout: %s", strerror(errno));
  close(dfd);
}

static void apply_entry(struct entry *e) {
  char **v;
  int n = split_path(e->name, &v);
  char t = e->type;
  int is_data_type = (t == '0' || t == '\0' || t == '7');
  uint64_t skip = is_data_type ? 0 : e->size; /* stray payload of non-file entries */

  if (n == 0) {
    if (t != '5') die(EX_UNSAFE, "entry would replace the layer root");
    skip_bytes(skip + padding(skip));
    free_comps(v, n);
    return;
  }
  const char *base = v[n - 1];
  if (!strncmp(base, WHITEOUT, strlen(WHITEOUT))) {
    apply_whiteout(v, n);
    skip_bytes(skip + padding(skip));
    free_comps(v, n);
    return;
  }
  check_xattrs(e->xattrs);

  int owned;
  int dfd = parent_dir(v, n, &owned);
  struct stat st;
  int exists = fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0;
  if ((exists && !(t == '5' && S_ISDIR(st.st_mode))) || t == '1') {
    /* Names change below: keep only this entry's parent, as an fd of its own. */
    if (!owned) {
      dfd = dup(dfd);
      if (dfd < 0) die(EX_IO, "dup parent: %s", strerror(errno));
      owned = 1;
    }
    parent_cache_drop();
  }
  if (exists && !(t == '5' && S_ISDIR(st.st_mode))) {
    remove_tree_at(dfd, base, 0);
    exists = 0;
  }

  uid_t uid = (uid_t)e->uid;
  gid_t gid = (gid_t)e->gid;
  mode_t mode = (mode_t)e->mode;
  struct timespec ts[2] = { e->mtime, e->mtime };

  switch (t) {
  case '0': case '\0': case '7': {
    int fd = openat(dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) die(EX_IO, "create file: %s", strerror(errno));
    write_data(fd, e->size);
    if (fchown(fd, uid, gid) < 0) die(EX_IO, "chown: %s", strerror(errno));
    if (fchmod(fd, mode) < 0) die(EX_IO, "chmod: %s", strerror(errno));
    apply_xattrs_fd(fd, e->xattrs);
    if (futimens(fd, ts) < 0) die(EX_IO, "set mtime: %s", strerror(errno));
    if (close(fd) < 0) die(EX_IO, "close: %s", strerror(errno));
    break;
  }
  case '5': {
    if (!exists && mkdirat(dfd, base, 0700) < 0) die(EX_IO, "create directory: %s", strerror(errno));
    int fd = openat(dfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) die(EX_IO, "open directory: %s", strerror(errno));
    if (fchown(fd, uid, gid) < 0) die(EX_IO, "chown: %s", strerror(errno));
    if (fchmod(fd, mode) < 0) die(EX_IO, "chmod: %s", strerror(errno));
    apply_xattrs_fd(fd, e->xattrs);
    close(fd);
    struct dirtime *d = xmalloc(sizeof *d);
    d->path = join_comps(v, n);
    d->mtime = e->mtime;
    d->next = dirtimes;
    dirtimes = d;
    break;
  }
  case '2':
    if (!*e->linkname) die(EX_FORMAT, "symlink with an empty target");
    if (symlinkat(e->linkname, dfd, base) < 0) die(EX_IO, "create symlink: %s", strerror(errno));
    if (fchownat(dfd, base, uid, gid, AT_SYMLINK_NOFOLLOW) < 0) die(EX_IO, "chown symlink: %s", strerror(errno));
    if (utimensat(dfd, base, ts, AT_SYMLINK_NOFOLLOW) < 0) die(EX_IO, "set symlink mtime: %s", strerror(errno));
    break;
  case '1': {
    char **lv;
    int ln = split_path(e->linkname, &lv);
    if (ln == 0) die(EX_UNSAFE, "hard link to the layer root");
    char *target = join_comps(lv, ln);
    char *self = join_comps(v, n);
    if (!strcmp(target, self)) die(EX_FORMAT, "hard link to itself");
    /* linkat without AT_SYMLINK_FOLLOW links a symlink itself, never what it points to. */
    if (linkat(AT_FDCWD, target, dfd, base, 0) < 0)
      die(errno == EPERM ? EX_UNSAFE : EX_IO, "hard link to \"%.200s\": %s", e->linkname, strerror(errno));
    free(target);
    free(self);
    free_comps(lv, ln);
    break; /* a hard link shares its target's metadata: nothing more to apply */
  }
  case '3': case '4': case '6': {
    mode_t kind = t == '3' ? S_IFCHR : t == '4' ? S_IFBLK : S_IFIFO;
    dev_t dev = t == '6' ? 0 : makedev((unsigned)e->devmajor, (unsigned)e->devminor);
    /* The full mode (special bits too) is given at creation: chown does not clear the
     * setuid/setgid bits of non-regular files, and nothing here opens a device node. */
    if (mknodat(dfd, base, kind | mode, dev) < 0) die(EX_IO, "create device node: %s", strerror(errno));
    if (fchownat(dfd, base, uid, gid, AT_SYMLINK_NOFOLLOW) < 0) die(EX_IO, "chown device node: %s", strerror(errno));
    if (utimensat(dfd, base, ts, AT_SYMLINK_NOFOLLOW) < 0) die(EX_IO, "set mtime: %s", strerror(errno));
    break;
  }
  default:
    die(EX_FORMAT, "unsupported tar entry type '%c'", t >= 32 && t < 127 ? t : '?');
  }
  if (owned) close(dfd);
  skip_bytes(skip + padding(skip));
  free_comps(v, n);
}

static void apply_dir_times(void) {
  for (struct dirtime *d = dirtimes; d; d = d->next) {
    struct timespec ts[2] = { d->mtime, d->mtime };
    struct stat st;
    /* The path may have been replaced by something else later in the stream; only dirs get it. */
    if (fstatat(AT_FDCWD, d->path, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
      if (utimensat(AT_FDCWD, d->path, ts, AT_SYMLINK_NOFOLLOW) < 0) {
        cur_entry = d->path;
        die(EX_IO, "set directory mtime: %s", strerror(errno));
      }
  }
}

/* ---------------------------------------------------------------- sandbox */

static void close_other_fds(void) {
#ifdef SYS_close_range
  if (syscall(SYS_close_range, 3u, ~0u, 0u) == 0) return;
#endif
  long max = sysconf(_SC_OPEN_MAX);
  for (long fd = 3; fd < (max > 0 ? max : 65536); fd++) close((int)fd);
}

/* Confines the rest of the run to `into`, resolved inside the root we are chrooted into. */
static void enter_subdir(const char *into) {
  int fd = open(into, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) die(errno == ENOENT || errno == ENOTDIR ? EX_UNSAFE : EX_IO, "target directory %s: %s", into, strerror(errno));
  if (fchdir(fd) < 0) die(EX_SANDBOX, "enter target directory: %s", strerror(errno));
  if (chroot(".") < 0) die(EX_SANDBOX, "chroot into target directory: %s", strerror(errno));
  if (chdir("/") < 0) die(EX_SANDBOX, "chdir /: %s", strerror(errno));
  close(fd);
}

static void enter_sandbox(const char *dir) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) die(EX_SANDBOX, "open layer directory %s: %s", dir, strerror(errno));
  if (unshare(CLONE_NEWNS) < 0) die(EX_SANDBOX, "unshare mount namespace: %s (kctl-untar must run as root)", strerror(errno));
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) die(EX_SANDBOX, "make mounts private: %s", strerror(errno));
  if (fchdir(fd) < 0) die(EX_SANDBOX, "enter layer directory: %s", strerror(errno));
  if (chroot(".") < 0) die(EX_SANDBOX, "chroot into layer directory: %s", strerror(errno));
  if (chdir("/") < 0) die(EX_SANDBOX, "chdir /: %s", strerror(errno));
  close(fd);
  close_other_fds();
  umask(0);
}

static uint64_t parse_limit(const char *flag, const char *v) {
  uint64_t x;
  if (parse_u64(v, &x) < 0 || x == 0) {
    fprintf(stderr, "kctl-untar: %s needs a positive integer, got \"%s\"\n", flag, v);
    exit(EX_USAGE_);
  }
  return x;
}

static int usage(void) {
  fprintf(stderr, "usage: kctl-untar <layer-dir> [--max-bytes N] [--max-entries N] [--max-path N] [--max-depth N] [--into DIR] [--sha256]\n");
  return EX_USAGE_;
}

int main(int argc, char **argv) {
  const char *dir = NULL, *into = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--sha256")) {
      hashing = 1;
    } else if (!strncmp(a, "--", 2) && i + 1 < argc) {
      if (!strcmp(a, "--max-bytes")) max_bytes = parse_limit(a, argv[++i]);
      else if (!strcmp(a, "--max-entries")) max_entries = parse_limit(a, argv[++i]);
      else if (!strcmp(a, "--max-path")) max_path = (size_t)parse_limit(a, argv[++i]);
      else if (!strcmp(a, "--max-depth")) max_depth = (unsigned)parse_limit(a, argv[++i]);
      else if (!strcmp(a, "--into")) into = argv[++i];
      else { fprintf(stderr, "kctl-untar: unknown option %s\n", a); return EX_USAGE_; }
    } else if (!dir && a[0] != '-') {
      dir = a;
    } else {
      return usage();
    }
  }
  if (!dir) {
    return usage();
  }
  if (hashing) SHA256_Init(&sha);
  enter_sandbox(dir);
  if (into) enter_subdir(into);

  struct entry e;
  while (next_entry(&e)) {
    apply_entry(&e);
    free_entry(&e);
  }
  /* Drain what follows the end-of-archive marker so the caller's digest covers the whole stream. */
  for (;;) {
    in_pos = in_len;
    if (!read_full(NULL, 1)) break;
  }
  apply_dir_times();
  char hex[2 * SHA256_DIGEST_LENGTH + 1] = "";
  if (hashing) {
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256_Final(md, &sha);
    for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) snprintf(hex + 2 * i, 3, "%02x", md[i]);
  }
  printf("{\"entries\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"dataBytes\":%" PRIu64 "%s%s%s}\n", entries, total_read, data_bytes,
         hashing ? ",\"sha256\":\"" : "", hex, hashing ? "\"" : "");
  if (fflush(stdout) != 0) return EX_IO;
  return 0;
}
