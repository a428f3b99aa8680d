/* kctl agent wire protocol: bounded frame decoder and spec parser (see PROTOCOL.md). */
#include "proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

int kp_dec_init(struct kp_dec *d) {
  d->buf = malloc(KP_HDR + KP_MAX_PAYLOAD);
  d->have = 0;
  return d->buf ? 0 : -1;
}

void kp_dec_free(struct kp_dec *d) {
  free(d->buf);
  d->buf = NULL;
  d->have = 0;
}

void kp_dec_reset(struct kp_dec *d) { d->have = 0; }

int kp_dec_feed(struct kp_dec *d, const uint8_t *data, size_t n, size_t *used, struct kp_frame *out,
                char *err, size_t errlen) {
  size_t pos = 0;
  *used = 0;
  /* A previous call may have returned a complete frame: start a new one. */
  if (d->have >= 4 && d->have == 4 + (size_t)kp_get32(d->buf)) d->have = 0;
  while (pos < n) {
    size_t need;
    if (d->have < 4) {
      need = 4 - d->have;
    } else {
      uint32_t len = kp_get32(d->buf);
      if (len < KP_HDR - 4 || len > KP_HDR - 4 + KP_MAX_PAYLOAD) {
        snprintf(err, errlen, "frame length %u out of bounds", len);
        d->have = 0;
        *used = pos;
        return -1;
      }
      need = 4 + (size_t)len - d->have;
    }
    size_t take = n - pos < need ? n - pos : need;
    memcpy(d->buf + d->have, data + pos, take);
    d->have += take;
    pos += take;
    if (d->have >= 4) {
      uint32_t len = kp_get32(d->buf);
      if (len < KP_HDR - 4 || len > KP_HDR - 4 + KP_MAX_PAYLOAD) {
        snprintf(err, errlen, "frame length %u out of bounds", len);
        d->have = 0;
        *used = pos;
        return -1;
      }
      if (d->have == 4 + (size_t)len) {
        out->type = d->buf[4];
        out->id = kp_get32(d->buf + 5);
        out->payload = d->buf + KP_HDR;
        out->len = len - (KP_HDR - 4);
        *used = pos;
        return 1;
      }
    }
  }
  *used = pos;
  return 0;
}

static int has_nul(const uint8_t *p, size_t n) { return memchr(p, 0, n) != NULL; }

void kp_spec_free(struct kp_spec *s) {
  free(s->arena);
  free(s->argv);
  free(s->envp);
  free(s->mounts);
  free(s->files);
  memset(s, 0, sizeof *s);
}

int kp_parse_ipv4(const char *s, size_t n, uint32_t *out) {
  uint32_t v = 0;
  size_t i = 0;
  for (int part = 0; part < 4; part++) {
    if (part > 0) {
      if (i >= n || s[i] != '.') return -1;
      i++;
    }
    size_t start = i;
    unsigned x = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9' && i - start < 3) x = x * 10 + (unsigned)(s[i++] - '0');
    if (i == start || x > 255 || (i - start > 1 && s[start] == '0')) return -1;
    v = v << 8 | x;
  }
  if (i != n) return -1;
  *out = v;
  return 0;
}

/* ROOTFS_SUBDIR: a single path component of letters, digits, '.', '_' and '-', other than "." and "..". */
int kp_valid_subdir(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n > KP_MAX_SUBDIR || !strcmp(s, ".") || !strcmp(s, "..")) return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) return 0;
  }
  return 1;
}

int kp_valid_target(const char *s) {
  size_t n = strlen(s);
  if (n < 2 || n > KP_MAX_PATH || s[0] != '/') return 0;
  const char *c = s + 1;
  for (;;) {
    const char *e = strchr(c, '/');
    size_t l = e ? (size_t)(e - c) : strlen(c);
    if (l == 0 && e) return 0; /* "//" */
    if (l == 0 && !e) return 1; /* trailing slash */
    if ((l == 1 && c[0] == '.') || (l == 2 && c[0] == '.' && c[1] == '.')) return 0;
    for (size_t i = 0; i < l; i++)
      if ((unsigned char)c[i] < 0x20 || c[i] == 0x7f) return 0;
    if (!e) return 1;
    c = e + 1;
  }
}

/* tmpfs options as Docker takes them: flags, size=<n>[kmg], mode=<octal>. */
static int parse_tmpfs_opts(char *o, struct kp_mount *m, char *err, size_t errlen) {
  m->flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
  size_t dl = 0;
  m->data[0] = 0;
  while (o && *o) {
    char *next = strchr(o, ',');
    if (next) *next++ = 0;
    if (!strcmp(o, "ro")) m->flags |= MS_RDONLY;
    else if (!strcmp(o, "rw")) m->flags &= ~(unsigned long)MS_RDONLY;
    else if (!strcmp(o, "exec")) m->flags &= ~(unsigned long)MS_NOEXEC;
    else if (!strcmp(o, "noexec")) m->flags |= MS_NOEXEC;
    else if (!strcmp(o, "suid")) m->flags &= ~(unsigned long)MS_NOSUID;
    else if (!strcmp(o, "nosuid")) m->flags |= MS_NOSUID;
    else if (!strcmp(o, "dev")) m->flags &= ~(unsigned long)MS_NODEV;
    else if (!strcmp(o, "nodev")) m->flags |= MS_NODEV;
    else if (*o) {
      int ok = 0;
      if (!strncmp(o, "size=", 5) && o[5]) {
        const char *c = o + 5;
        while (*c >= '0' && *c <= '9') c++;
        ok = c > o + 5 && c - (o + 5) <= 15 && (!*c || (strchr("kmgKMG%", *c) && !c[1]));
      } else if (!strncmp(o, "mode=", 5) && o[5]) {
        const char *c = o + 5;
        while (*c >= '0' && *c <= '7') c++;
        ok = !*c && c - (o + 5) <= 4;
      }
      if (!ok) { snprintf(err, errlen, "invalid tmpfs option \"%.64s\"", o); return -1; }
      size_t l = strlen(o);
      if (dl + l + 2 > sizeof m->data) { snprintf(err, errlen, "tmpfs options too long"); return -1; }
      if (dl) m->data[dl++] = ',';
      memcpy(m->data + dl, o, l + 1);
      dl += l;
    }
    o = next;
  }
  return 0;
}

/* Splits s in place on '\n' into at most max fields; returns the count. The last field keeps its newlines. */
static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static int split_fields(char *s, char **f, int max) {
  int n = 0;
  f[n++] = s;
  while (n < max) {
    char *e = strchr(f[n - 1], '\n');
    if (!e) break;
    *e = 0;
    f[n++] = e + 1;
  }
  return n;
}

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); kp_spec_free(out); return -1; } while (0)

int kp_parse_spec(const uint8_t *p, size_t n, int is_start, struct kp_spec *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  if (n > KP_MAX_PAYLOAD) FAIL("spec too large");
  /* Every string is copied with a NUL; n + (records) bytes always suffice, and records <= n / 6. */
  out->arena = malloc(n + n / 6 + 1);
  out->argv = calloc(KP_MAX_ARGS + 1, sizeof(char *));
  out->envp = calloc(KP_MAX_ENV + 1, sizeof(char *));
  out->mounts = calloc(KP_MAX_MOUNTS, sizeof *out->mounts);
  out->files = calloc(KP_MAX_FILES, sizeof *out->files);
  if (!out->arena || !out->argv || !out->envp || !out->mounts || !out->files) FAIL("out of memory");
  char *a = out->arena;
  unsigned seen = 0;
  size_t pos = 0;
  while (pos < n) {
    if (n - pos < 6) FAIL("truncated record header at offset %zu", pos);
    uint16_t tag = kp_get16(p + pos);
    uint32_t len = kp_get32(p + pos + 2);
    pos += 6;
    if (len > n - pos) FAIL("record %u length %u exceeds the frame", tag, len);
    const uint8_t *v = p + pos;
    pos += len;
    int is_str = 0;
    size_t max = 0;
    const char **slot = NULL;
    switch (tag) {
    case KT_ARG:
      if (out->argc >= KP_MAX_ARGS) FAIL("more than %d arguments", KP_MAX_ARGS);
      is_str = 1; max = KP_MAX_STR;
      break;
    case KT_ENV:
      if (out->envc >= KP_MAX_ENV) FAIL("more than %d environment entries", KP_MAX_ENV);
      is_str = 1; max = KP_MAX_STR;
      if (len == 0 || v[0] == '=' || !memchr(v, '=', len)) FAIL("environment entry is not NAME=value");
      break;
    case KT_CWD: is_str = 1; max = KP_MAX_PATH; slot = &out->cwd;
      if (len == 0 || v[0] != '/') FAIL("working directory must be an absolute path");
      break;
    case KT_USER: is_str = 1; max = KP_MAX_USER; slot = &out->user; break;
    case KT_HOSTNAME: is_str = 1; max = KP_MAX_HOSTNAME; slot = &out->hostname;
      if (!is_start) FAIL("hostname is only valid in START");
      break;
    case KT_ROOTFS_TAG: is_str = 1; max = KP_MAX_TAG; slot = &out->rootfs_tag;
      if (!is_start) FAIL("rootfs tag is only valid in START");
      if (len == 0) FAIL("empty rootfs tag");
      break;
    case KT_ROOTFS_SUBDIR: is_str = 1; max = KP_MAX_SUBDIR; slot = &out->rootfs_subdir;
      if (!is_start) FAIL("rootfs subdirectory is only valid in START");
      break;
    case KT_TTY: case KT_STDIN: case KT_READONLY_ROOTFS: case KT_INIT:
      if (len != 1 || v[0] > 1) FAIL("record %u must be one byte 0 or 1", tag);
      if (tag == KT_READONLY_ROOTFS && !is_start) FAIL("readonly rootfs is only valid in START");
      if (tag == KT_INIT && !is_start) FAIL("init is only valid in START");
      break;
    case KT_ROWS: case KT_COLS:
      if (len != 2 || kp_get16(v) == 0) FAIL("record %u must be a non-zero u16", tag);
      break;
    case KT_CAPS:
      if (len != 8) FAIL("capabilities must be a u64 mask");
      break;
    case KT_NET: case KT_NET_DENY: case KT_MOUNT: case KT_FILE: case KT_NET_IF:
      if (!is_start) FAIL("record %u is only valid in START", tag);
      if (tag == KT_NET_IF && out->nnetifs >= KP_MAX_NETIF) FAIL("more than %d network interfaces", KP_MAX_NETIF);
      is_str = 1; max = tag == KT_FILE ? KP_MAX_STR : tag == KT_MOUNT ? KP_MAX_PATH + 128 : 64;
      if (tag == KT_NET_DENY && out->ndeny >= KP_MAX_DENY) FAIL("more than %d denied hosts", KP_MAX_DENY);
      if (tag == KT_MOUNT && out->nmounts >= KP_MAX_MOUNTS) FAIL("more than %d mounts", KP_MAX_MOUNTS);
      if (tag == KT_FILE && out->nfiles >= KP_MAX_FILES) FAIL("more than %d files", KP_MAX_FILES);
      break;
    default:
      FAIL("unknown record tag %u", tag);
    }
    if (tag != KT_ARG && tag != KT_ENV && tag != KT_NET_DENY && tag != KT_MOUNT && tag != KT_FILE && tag != KT_NET_IF) {
      if (tag < 32 && (seen & (1u << tag))) FAIL("record %u repeated", tag);
      seen |= 1u << tag;
    }
    if (is_str) {
      if (len > max) FAIL("record %u longer than %zu bytes", tag, max);
      if (has_nul(v, len)) FAIL("record %u contains a NUL byte", tag);
      memcpy(a, v, len);
      a[len] = 0;
      if (tag == KT_ARG) out->argv[out->argc++] = a;
      else if (tag == KT_ENV) out->envp[out->envc++] = a;
      else if (tag == KT_NET) {
        /* "a.b.c.d/prefix gateway" */
        char *sl = strchr(a, '/'), *sp = strchr(a, ' ');
        if (!sl || !sp || sp < sl) FAIL("network record is not \"address/prefix gateway\"");
        char *pe = sl + 1;
        unsigned pf = 0;
        while (pe < sp && *pe >= '0' && *pe <= '9' && pf < 100) pf = pf * 10 + (unsigned)(*pe++ - '0');
        if (pe != sp || sp == sl + 1 || pf < 1 || pf > 30) FAIL("invalid network prefix");
        if (kp_parse_ipv4(a, (size_t)(sl - a), &out->net_addr) < 0 || kp_parse_ipv4(sp + 1, strlen(sp + 1), &out->net_gw) < 0)
          FAIL("invalid network address");
        out->net_prefix = pf;
        out->has_net = 1;
      } else if (tag == KT_NET_IF) {
        /* "xx:xx:xx:xx:xx:xx a.b.c.d/prefix" */
        struct kp_netif *ni = &out->netifs[out->nnetifs];
        char *sp = strchr(a, ' ');
        char *sl = sp ? strchr(sp, '/') : NULL;
        if (!sp || !sl || sp - a != 17) FAIL("network interface record is not \"mac address/prefix\"");
        for (int k = 0; k < 6; k++) {
          int hi = hexval(a[k * 3]), lo = hexval(a[k * 3 + 1]);
          if (hi < 0 || lo < 0 || (k < 5 && a[k * 3 + 2] != ':')) FAIL("invalid MAC address in network interface record");
          ni->mac[k] = (uint8_t)(hi << 4 | lo);
        }
        unsigned pf = 0;
        const char *pe = sl + 1;
        while (*pe >= '0' && *pe <= '9' && pf < 100) pf = pf * 10 + (unsigned)(*pe++ - '0');
        if (*pe || pe == sl + 1 || pf < 8 || pf > 30) FAIL("invalid prefix in network interface record");
        if (kp_parse_ipv4(sp + 1, (size_t)(sl - sp - 1), &ni->addr) < 0) FAIL("invalid address in network interface record");
        ni->prefix = pf;
        out->nnetifs++;
      } else if (tag == KT_NET_DENY) {
        if (kp_parse_ipv4(a, len, &out->deny[out->ndeny]) < 0) FAIL("invalid denied host");
        out->ndeny++;
      } else if (tag == KT_MOUNT) {
        char *f[4];
        struct kp_mount *m = &out->mounts[out->nmounts];
        if (split_fields(a, f, 4) != 4 || strchr(f[3], '\n')) FAIL("mount record is not type, source, options, target");
        if (!kp_valid_target(f[3])) FAIL("invalid mount target \"%.64s\": use an absolute path without . or .. components", f[3]);
        m->target = f[3];
        if (!strcmp(f[0], "share")) {
          size_t tl = strlen(f[1]);
          if (tl == 0 || tl > KP_MAX_TAG || strchr(f[1], '/') || strchr(f[1], ',')) FAIL("invalid share tag in mount record");
          for (const char *c = f[1]; *c; c++)
            if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f) FAIL("invalid share tag in mount record");
          if (strcmp(f[2], "ro") && strcmp(f[2], "rw")) FAIL("share options must be ro or rw");
          m->type = KM_SHARE;
          m->source = f[1];
          m->readonly = f[2][0] == 'r' && f[2][1] == 'o';
        } else if (!strcmp(f[0], "tmpfs")) {
          if (f[1][0]) FAIL("a tmpfs mount has no source");
          m->type = KM_TMPFS;
          m->source = "tmpfs";
          if (parse_tmpfs_opts(f[2], m, err, errlen) < 0) { kp_spec_free(out); return -1; }
          m->readonly = (m->flags & MS_RDONLY) != 0;
        } else FAIL("unknown mount type \"%.16s\"", f[0]);
        out->nmounts++;
      } else if (tag == KT_FILE) {
        char *f[2];
        struct kp_file *fl = &out->files[out->nfiles];
        if (split_fields(a, f, 2) != 2) FAIL("file record is not target, content");
        if (!kp_valid_target(f[0])) FAIL("invalid file target \"%.64s\"", f[0]);
        fl->target = f[0];
        fl->content = f[1];
        fl->len = strlen(f[1]);
        out->nfiles++;
      }
      else *slot = a;
      a += len + 1;
    } else if (tag == KT_TTY) out->tty = v[0];
    else if (tag == KT_STDIN) out->open_stdin = v[0];
    else if (tag == KT_READONLY_ROOTFS) out->readonly_rootfs = v[0];
    else if (tag == KT_INIT) out->init = v[0];
    else if (tag == KT_ROWS) out->rows = kp_get16(v);
    else if (tag == KT_COLS) out->cols = kp_get16(v);
    else if (tag == KT_CAPS) out->caps = (uint64_t)kp_get32(v) << 32 | kp_get32(v + 4);
  }
  if (!(seen & (1u << KT_CAPS))) out->caps = KP_DEFAULT_CAPS;
  if (out->argc == 0) FAIL("no command given");
  if (out->argv[0][0] == 0) FAIL("empty command");
  if (!out->cwd) out->cwd = "/";
  if (!out->user) out->user = "";
  if (is_start && !out->rootfs_tag) FAIL("START without a rootfs tag");
  if (out->rootfs_subdir && !kp_valid_subdir(out->rootfs_subdir)) FAIL("invalid rootfs subdirectory: one path component of [A-Za-z0-9._-], not . or ..");
  if (out->hostname) {
    for (const char *c = out->hostname; *c; c++)
      if (*c == '/' || (unsigned char)*c < 0x21 || (unsigned char)*c > 0x7e) FAIL("invalid hostname");
  }
  return 0;
}

int kp_validate_host_frame(const struct kp_frame *f, char *err, size_t errlen) {
  uint32_t n = f->len;
  switch (f->type) {
  case KP_HELLO_ACK:
    if (n != 2) goto badlen;
    return 0;
  case KP_START:
    if (f->id != 1) { snprintf(err, errlen, "START must use process id 1"); return -1; }
    return 0;
  case KP_EXEC:
    if (f->id < 2) { snprintf(err, errlen, "EXEC must use a process id >= 2"); return -1; }
    return 0;
  case KP_STDIN: return 0;
  case KP_STDIN_CLOSE: case KP_EXIT_ACK: case KP_SHUTDOWN:
    if (n != 0) goto badlen;
    return 0;
  case KP_CREDIT:
    if (n != 4) goto badlen;
    return 0;
  case KP_SIGNAL:
    if (n != 4) goto badlen;
    if (kp_get32(f->payload) < 1 || kp_get32(f->payload) > 64) {
      snprintf(err, errlen, "signal %u out of range", kp_get32(f->payload));
      return -1;
    }
    return 0;
  case KP_RESIZE:
    if (n != 4) goto badlen;
    if (kp_get16(f->payload) == 0 || kp_get16(f->payload + 2) == 0) {
      snprintf(err, errlen, "window size must be non-zero");
      return -1;
    }
    return 0;
  case KP_PING:
    if (n > KP_MAX_PING) goto badlen;
    return 0;
  case KP_UPDATE_FILE:
    /* u8 index of a START FILE record, then its new content (no NUL) */
    if (n < 1 || n > 1 + KP_MAX_STR || f->id != 0) goto badlen;
    if (f->payload[0] >= KP_MAX_FILES || memchr(f->payload + 1, 0, n - 1)) {
      snprintf(err, errlen, "invalid file update");
      return -1;
    }
    return 0;
  case KP_QUERY:
    if (n < 1 || n > 1 + KP_MAX_PING) goto badlen;
    if (f->payload[0] != KQ_STATS && f->payload[0] != KQ_PROCS) {
      snprintf(err, errlen, "unknown query kind %u", f->payload[0]);
      return -1;
    }
    return 0;
  default:
    snprintf(err, errlen, "unexpected frame type %u", f->type);
    return -1;
  }
badlen:
  snprintf(err, errlen, "frame type %u has a bad payload length %u", f->type, n);
  return -1;
}
