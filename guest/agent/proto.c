/* kctl agent wire protocol: bounded frame decoder and spec parser (see PROTOCOL.md). */
#include "proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
  memset(s, 0, sizeof *s);
}

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); kp_spec_free(out); return -1; } while (0)

int kp_parse_spec(const uint8_t *p, size_t n, int is_start, struct kp_spec *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  if (n > KP_MAX_PAYLOAD) FAIL("spec too large");
  /* Every string is copied with a NUL; n + (records) bytes always suffice, and records <= n / 6. */
  out->arena = malloc(n + n / 6 + 1);
  out->argv = calloc(KP_MAX_ARGS + 1, sizeof(char *));
  out->envp = calloc(KP_MAX_ENV + 1, sizeof(char *));
  if (!out->arena || !out->argv || !out->envp) FAIL("out of memory");
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
    case KT_TTY: case KT_STDIN: case KT_READONLY_ROOTFS:
      if (len != 1 || v[0] > 1) FAIL("record %u must be one byte 0 or 1", tag);
      if (tag == KT_READONLY_ROOTFS && !is_start) FAIL("readonly rootfs is only valid in START");
      break;
    case KT_ROWS: case KT_COLS:
      if (len != 2 || kp_get16(v) == 0) FAIL("record %u must be a non-zero u16", tag);
      break;
    case KT_CAPS:
      if (len != 8) FAIL("capabilities must be a u64 mask");
      break;
    default:
      FAIL("unknown record tag %u", tag);
    }
    if (tag != KT_ARG && tag != KT_ENV) {
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
      else *slot = a;
      a += len + 1;
    } else if (tag == KT_TTY) out->tty = v[0];
    else if (tag == KT_STDIN) out->open_stdin = v[0];
    else if (tag == KT_READONLY_ROOTFS) out->readonly_rootfs = v[0];
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
  default:
    snprintf(err, errlen, "unexpected frame type %u", f->type);
    return -1;
  }
badlen:
  snprintf(err, errlen, "frame type %u has a bad payload length %u", f->type, n);
  return -1;
}
