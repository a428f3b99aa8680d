/*
 * Fuzz harness for the agent's parsers: the frame decoder, host-frame validation, the START/EXEC spec
 * parser and the passwd/group user resolver, i.e. exactly the functions kctl-agent runs on input it
 * does not trust. Built with -fsanitize=address,undefined.
 *
 *   kctl-agent-fuzz SECONDS CORPUS_DIR...   replay the corpus, then mutate it for SECONDS
 *   (with clang -fsanitize=fuzzer -DKCTL_LIBFUZZER it is a libFuzzer target instead)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto.h"
#include "spawn.h"

static struct kp_dec dec;

/* An accepted ROOTFS_SUBDIR never leaves the share: one component, not "." or "..". */
static int subdir_ok(const char *d) {
  return d[0] && !strchr(d, '/') && strcmp(d, ".") && strcmp(d, "..");
}

static void one_input(const uint8_t *data, size_t n) {
  char err[256];
  if (n == 0) return;
  /* 1. the stream decoder, fed in chunks whose sizes come from the first byte */
  kp_dec_reset(&dec);
  size_t step = (size_t)(data[0] % 17) + 1, pos = 1;
  while (pos < n) {
    size_t len = n - pos < step ? n - pos : step, used = 0;
    struct kp_frame f;
    int r = kp_dec_feed(&dec, data + pos, len, &used, &f, err, sizeof err);
    if (used > len) abort();
    pos += used;
    if (r < 0) break;
    if (r == 1) {
      if (f.len > KP_MAX_PAYLOAD) abort();
      if (kp_validate_host_frame(&f, err, sizeof err) == 0 && (f.type == KP_START || f.type == KP_EXEC)) {
        struct kp_spec s;
        if (kp_parse_spec(f.payload, f.len, f.type == KP_START, &s, err, sizeof err) == 0) {
          if (s.argc < 1 || !s.argv[0] || s.argv[s.argc] || s.envp[s.envc]) abort();
          if (s.rootfs_subdir && !subdir_ok(s.rootfs_subdir)) abort();
          kp_spec_free(&s);
        }
      }
    } else if (used == 0) break;
  }
  /* 2. the spec parser on the raw bytes */
  struct kp_spec s;
  for (int st = 0; st < 2; st++)
    if (kp_parse_spec(data, n, st, &s, err, sizeof err) == 0) {
      if (s.rootfs_subdir && !subdir_ok(s.rootfs_subdir)) abort();
      kp_spec_free(&s);
    }
  /* 3. the user resolver: "spec\0passwd\0group" */
  char *copy = malloc(n + 3);
  memcpy(copy, data, n);
  copy[n] = copy[n + 1] = copy[n + 2] = 0;
  const char *spec = copy, *pw = spec + strlen(spec) + 1;
  const char *gr = pw <= copy + n ? pw + strlen(pw) + 1 : copy + n + 2;
  if (pw > copy + n + 1) pw = copy + n + 1;
  if (gr > copy + n + 2) gr = copy + n + 2;
  struct kp_user u;
  if (kp_resolve_user(spec, pw, gr, &u, err, sizeof err) == 0 && (u.ngroups < 1 || u.ngroups > 64)) abort();
  free(copy);
}

#ifdef KCTL_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n) {
  if (!dec.buf && kp_dec_init(&dec) < 0) abort();
  one_input(data, n);
  return 0;
}
#else
#define MAX_SEEDS 256
static uint8_t *seeds[MAX_SEEDS];
static size_t seed_len[MAX_SEEDS];
static int nseeds;

static void load_dir(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *e;
  if (!d) { perror(dir); exit(2); }
  while ((e = readdir(d)) && nseeds < MAX_SEEDS) {
    if (e->d_name[0] == '.') continue;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    FILE *f = fopen(path, "rb");
    if (!f) continue;
    uint8_t *buf = malloc(KP_HDR + KP_MAX_PAYLOAD);
    size_t n = fread(buf, 1, KP_HDR + KP_MAX_PAYLOAD, f);
    fclose(f);
    seeds[nseeds] = buf;
    seed_len[nseeds++] = n;
    one_input(buf, n);
  }
  closedir(d);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: %s SECONDS CORPUS_DIR...\n", argv[0]); return 2; }
  if (kp_dec_init(&dec) < 0) return 2;
  for (int i = 2; i < argc; i++) load_dir(argv[i]);
  if (nseeds == 0) { fprintf(stderr, "empty corpus\n"); return 2; }
  const char *seed = getenv("KCTL_FUZZ_SEED");
  rng ^= seed ? strtoull(seed, NULL, 0) : (uint64_t)time(NULL);
  fprintf(stderr, "seed 0x%llx, %d corpus files\n", (unsigned long long)rng, nseeds);
  time_t end = time(NULL) + atol(argv[1]);
  static uint8_t buf[KP_HDR + 70000];
  unsigned long iters = 0;
  while (time(NULL) < end) {
    for (int k = 0; k < 200; k++, iters++) {
      int s = (int)(rnd() % (uint64_t)nseeds);
      size_t n = seed_len[s] < sizeof buf ? seed_len[s] : sizeof buf;
      memcpy(buf, seeds[s], n);
      int muts = 1 + (int)(rnd() % 8);
      for (int m = 0; m < muts; m++) {
        size_t at = n ? rnd() % n : 0;
        switch (rnd() % 7) {
        case 0: if (n) buf[at] ^= (uint8_t)(1u << (rnd() % 8)); break;
        case 1: if (n) buf[at] = (uint8_t)rnd(); break;
        case 2: if (n) buf[at] = (uint8_t[]){0, 0xff, 0x7f, 0x80, 1, ':', '\n', '='}[rnd() % 8]; break;
        case 3: n = n ? rnd() % n : 0; break; /* truncate */
        case 4: if (n + 16 < sizeof buf) { for (int j = 0; j < 16; j++) buf[n++] = (uint8_t)rnd(); } break;
        case 5: if (n >= 4) { size_t w = rnd() % (n - 3); uint32_t v = (uint32_t)rnd(); if (rnd() & 1) v %= 64; memcpy(buf + w, &v, 4); } break;
        case 6: { int o = (int)(rnd() % (uint64_t)nseeds); size_t take = seed_len[o] < 256 ? seed_len[o] : 256;
                  if (n + take < sizeof buf) { memcpy(buf + n, seeds[o], take); n += take; } } break;
        }
      }
      one_input(buf, n);
    }
  }
  fprintf(stderr, "%lu inputs, no crash\n", iters);
  kp_dec_free(&dec);
  return 0;
}
#endif
