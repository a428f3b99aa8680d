/*
 * kctl-hostprobe: decides whether this host's KVM is usable and measures the host TSC rate.
 *
 * /dev/kvm existing says little: under nested virtualization KVM may run guest code at about a
 * million instructions per second, far too slow to boot Linux. So the probe RUNS a tiny guest
 * (64 KiB of memory, one vCPU in real mode executing `mov ecx,N; L: dec ecx; jnz L; hlt`) and
 * times KVM_RUN until KVM_EXIT_HLT under a hard budget. A per-thread POSIX timer delivers SIGALRM
 * to abort KVM_RUN when the budget runs out, so the probe is bounded even on a pathological host.
 *
 * Under TCG the guest sees the host TSC, and QEMU's microvm has no PIT/HPET/PM timer for the guest
 * kernel to calibrate against, so kctl must pass the TSC rate on the kernel command line. The probe
 * measures rdtsc against CLOCK_MONOTONIC_RAW (or reads the rate the hypervisor publishes in CPUID).
 *
 * Output: one line of key=value pairs on stdout, for example
 *   kvm=slow reason="guest loop did not finish within 50 ms" kvm_us=50071 kvm_iters=100000
 *   kvm_setup_us=812 tsc_khz=2596118 tsc_source=measured tsc_invariant=1 probe_us=75210
 * kvm is one of usable | slow | unavailable. The exit status is 0 whatever the verdict; it is
 * nonzero only for bad usage or a failure of the probe itself.
 *
 * Usage: kctl-hostprobe [--iterations N] [--budget-ms MS] [--no-kvm]
 */
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#define GUEST_MEM_SIZE (64 * 1024)
#define GUEST_CODE_ADDR 0x1000

static volatile sig_atomic_t budget_expired;

static void on_alarm(int sig)
{
	(void)sig;
	budget_expired = 1;
}

static int64_t now_ns(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

struct kvm_result {
	const char *verdict; /* usable | slow | unavailable */
	char reason[200];
	long setup_us;
	long run_us;
	unsigned long iterations;
};

static void set_reason(struct kvm_result *r, const char *verdict, const char *what, int err)
{
	r->verdict = verdict;
	if (err)
		snprintf(r->reason, sizeof(r->reason), "%s: %s", what, strerror(err));
	else
		snprintf(r->reason, sizeof(r->reason), "%s", what);
}

/* Arms a per-thread timer that sends SIGALRM after budget_ms and then every 5 ms, so a signal
 * that lands just before KVM_RUN is entered is followed by another one. */
static int arm_budget_timer(timer_t *timer, long budget_ms)
{
	struct sigevent sev;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGALRM;
	sev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
	if (timer_create(CLOCK_MONOTONIC, &sev, timer) != 0)
		return -1;
	struct itimerspec its;
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = budget_ms / 1000;
	its.it_value.tv_nsec = (budget_ms % 1000) * 1000000L;
	its.it_interval.tv_nsec = 5 * 1000000L;
	if (timer_settime(*timer, 0, &its, NULL) != 0) {
		timer_delete(*timer);
		return -1;
	}
	return 0;
}

static void probe_kvm(struct kvm_result *r, unsigned long iterations, long budget_ms)
{
	int kvm = -1, vm = -1, vcpu = -1;
	void *mem = MAP_FAILED;
	struct kvm_run *run = MAP_FAILED;
	long run_size = 0;
	timer_t timer;
	int timer_armed = 0;

	r->iterations = iterations;
	r->setup_us = -1;
	r->run_us = -1;

	int64_t t_setup = now_ns(CLOCK_MONOTONIC);
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		set_reason(r, "unavailable", "cannot open /dev/kvm", errno);
		goto out;
	}
	int api = ioctl(kvm, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION) {
		snprintf(r->reason, sizeof(r->reason), "unexpected KVM API version %d", api);
		r->verdict = "unavailable";
		goto out;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		set_reason(r, "unavailable", "KVM_CREATE_VM failed", errno);
		goto out;
	}
	mem = mmap(NULL, GUEST_MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED) {
		set_reason(r, "unavailable", "cannot map guest memory", errno);
		goto out;
	}
	/* mov ecx, iterations ; L: dec ecx ; jnz L ; hlt  (real mode, 32-bit operand prefix) */
	uint8_t *code = (uint8_t *)mem + GUEST_CODE_ADDR;
	uint32_t n = (uint32_t)iterations;
	code[0] = 0x66; code[1] = 0xb9;
	memcpy(&code[2], &n, 4);
	code[6] = 0x66; code[7] = 0x49;  /* dec ecx */
	code[8] = 0x75; code[9] = 0xfc;  /* jnz -4 */
	code[10] = 0xf4;                 /* hlt */

	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = GUEST_MEM_SIZE,
		.userspace_addr = (uint64_t)(uintptr_t)mem,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		set_reason(r, "unavailable", "KVM_SET_USER_MEMORY_REGION failed", errno);
		goto out;
	}
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0) {
		set_reason(r, "unavailable", "KVM_CREATE_VCPU failed", errno);
		goto out;
	}
	run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size < (long)sizeof(struct kvm_run)) {
		set_reason(r, "unavailable", "KVM_GET_VCPU_MMAP_SIZE failed", run_size < 0 ? errno : 0);
		goto out;
	}
	run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED) {
		set_reason(r, "unavailable", "cannot map the vCPU run area", errno);
		goto out;
	}
	struct kvm_sregs sregs;
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0) {
		set_reason(r, "unavailable", "KVM_GET_SREGS failed", errno);
		goto out;
	}
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0) {
		set_reason(r, "unavailable", "KVM_SET_SREGS failed", errno);
		goto out;
	}
	struct kvm_regs regs;
	memset(&regs, 0, sizeof(regs));
	regs.rip = GUEST_CODE_ADDR;
	regs.rflags = 0x2;
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0) {
		set_reason(r, "unavailable", "KVM_SET_REGS failed", errno);
		goto out;
	}
	r->setup_us = (long)((now_ns(CLOCK_MONOTONIC) - t_setup) / 1000);

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm; /* no SA_RESTART: KVM_RUN must return EINTR */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) != 0) {
		perror("kctl-hostprobe: sigaction");
		exit(70);
	}
	budget_expired = 0;
	if (arm_budget_timer(&timer, budget_ms) != 0) {
		perror("kctl-hostprobe: timer_create");
		exit(70);
	}
	timer_armed = 1;

	int64_t t_run = now_ns(CLOCK_MONOTONIC);
	for (;;) {
		if (budget_expired) {
			r->run_us = (long)((now_ns(CLOCK_MONOTONIC) - t_run) / 1000);
			snprintf(r->reason, sizeof(r->reason),
				 "a %lu-iteration guest loop did not finish within %ld ms (nested or throttled KVM)",
				 iterations, budget_ms);
			r->verdict = "slow";
			break;
		}
		int rc = ioctl(vcpu, KVM_RUN, 0);
		if (rc < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			set_reason(r, "unavailable", "KVM_RUN failed", errno);
			break;
		}
		if (run->exit_reason == KVM_EXIT_HLT) {
			r->run_us = (long)((now_ns(CLOCK_MONOTONIC) - t_run) / 1000);
			snprintf(r->reason, sizeof(r->reason), "a %lu-iteration guest loop ran in %ld us",
				 iterations, r->run_us);
			r->verdict = "usable";
			break;
		}
		if (run->exit_reason == KVM_EXIT_INTR)
			continue;
		snprintf(r->reason, sizeof(r->reason), "unexpected KVM exit reason %u", run->exit_reason);
		r->verdict = "unavailable";
		break;
	}

out:
	if (timer_armed)
		timer_delete(timer);
	if (run != MAP_FAILED)
		munmap(run, (size_t)run_size);
	if (mem != MAP_FAILED)
		munmap(mem, GUEST_MEM_SIZE);
	if (vcpu >= 0)
		close(vcpu);
	if (vm >= 0)
		close(vm);
	if (kvm >= 0)
		close(kvm);
}

/* The TSC rate a hypervisor publishes in CPUID leaf 0x40000010 (VMware/KVM/Firecracker timing
 * leaf, EAX = TSC kHz), or 0 when there is none. */
static unsigned long tsc_khz_from_hypervisor(void)
{
	unsigned int a, b, c, d;
	__cpuid(1, a, b, c, d);
	if (!(c & (1u << 31)))
		return 0; /* not running under a hypervisor */
	__cpuid(0x40000000, a, b, c, d);
	if (a < 0x40000010)
		return 0;
	__cpuid(0x40000010, a, b, c, d);
	return a;
}

static int tsc_is_invariant(void)
{
	unsigned int a, b, c, d;
	if (!__get_cpuid(0x80000000, &a, &b, &c, &d) || a < 0x80000007)
		return 0;
	__cpuid(0x80000007, a, b, c, d);
	return (d >> 8) & 1;
}

/* One sample: TSC ticks per microsecond of CLOCK_MONOTONIC_RAW over `window_ms`, with each rdtsc
 * bracketed by clock reads so a preemption between them is visible and the sample retried. */
static double tsc_sample_khz(long window_ms)
{
	for (int attempt = 0; attempt < 5; attempt++) {
		int64_t a0 = now_ns(CLOCK_MONOTONIC_RAW);
		uint64_t t0 = __rdtsc();
		int64_t a1 = now_ns(CLOCK_MONOTONIC_RAW);
		struct timespec ts = { .tv_sec = 0, .tv_nsec = window_ms * 1000000L };
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
		int64_t b0 = now_ns(CLOCK_MONOTONIC_RAW);
		uint64_t t1 = __rdtsc();
		int64_t b1 = now_ns(CLOCK_MONOTONIC_RAW);
		if (a1 - a0 > 20000 || b1 - b0 > 20000)
			continue; /* preempted around a read: the pairing is not trustworthy */
		double ns = (double)((b0 + b1) / 2 - (a0 + a1) / 2);
		return (double)(t1 - t0) / ns * 1e6;
	}
	return 0;
}

static unsigned long measure_tsc_khz(void)
{
	double s[3];
	int n = 0;
	for (int i = 0; i < 3; i++) {
		double v = tsc_sample_khz(10);
		if (v > 0)
			s[n++] = v;
	}
	if (n == 0)
		return 0;
	/* median of the good samples */
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (s[j] < s[i]) {
				double t = s[i];
				s[i] = s[j];
				s[j] = t;
			}
	return (unsigned long)(s[n / 2] + 0.5);
}

static void print_quoted(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s >= 0x20 ? *s : ' ');
	}
	putchar('"');
}

static int parse_ulong(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long iterations = 100000, budget_ms = 50;
	int no_kvm = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--iterations") && i + 1 < argc) {
			if (parse_ulong(argv[++i], 1, 0xffffffffUL, &iterations))
				goto usage;
		} else if (!strcmp(argv[i], "--budget-ms") && i + 1 < argc) {
			if (parse_ulong(argv[++i], 1, 10000, &budget_ms))
				goto usage;
		} else if (!strcmp(argv[i], "--no-kvm")) {
			no_kvm = 1;
		} else {
			goto usage;
		}
	}

	int64_t t0 = now_ns(CLOCK_MONOTONIC);
	struct kvm_result kr;
	memset(&kr, 0, sizeof(kr));
	if (no_kvm) {
		set_reason(&kr, "unavailable", "KVM disabled by --no-kvm", 0);
		kr.setup_us = kr.run_us = -1;
		kr.iterations = iterations;
	} else {
		probe_kvm(&kr, iterations, (long)budget_ms);
	}

	const char *tsc_source = "cpuid";
	unsigned long tsc_khz = tsc_khz_from_hypervisor();
	if (tsc_khz == 0) {
		tsc_source = "measured";
		tsc_khz = measure_tsc_khz();
	}
	long probe_us = (long)((now_ns(CLOCK_MONOTONIC) - t0) / 1000);

	printf("kvm=%s reason=", kr.verdict);
	print_quoted(kr.reason);
	printf(" kvm_us=%ld kvm_setup_us=%ld kvm_iters=%lu kvm_budget_ms=%lu tsc_khz=%lu tsc_source=%s tsc_invariant=%d probe_us=%ld\n",
	       kr.run_us, kr.setup_us, kr.iterations, budget_ms, tsc_khz, tsc_khz ? tsc_source : "none",
	       tsc_is_invariant(), probe_us);
	return fflush(stdout) == 0 ? 0 : 70;

usage:
	fprintf(stderr, "usage: kctl-hostprobe [--iterations N] [--budget-ms MS] [--no-kvm]\n");
	return 64;
}
