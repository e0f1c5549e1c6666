/* SPDX-License-Identifier: MIT */
/*
 * The fake os/ of the simulated-clock tier (tests/sim/README.md): the
 * declarations of src/os/{event,proc,signals,notify_socket,pipe,system,
 * unix_socket,watchdog}.h implemented over an in-memory world — a
 * simulated CLOCK_MONOTONIC, fake processes with fake pids, one fake
 * timerfd, a signal queue, a notify datagram queue and a watchdog device —
 * that records what vigil does (spawns, signals, pets) as an ordered event
 * stream. os/fd.c, os/files.c and os/user.c stay real: fake fds are numbers
 * far above any real fd, so a real close() of one is a harmless EBADF.
 *
 * The fake epoll wait never blocks: with nothing ready at the simulated
 * now it asks the loop to return (loop_exit()), and the harness (sim.c)
 * moves the clock or acts as a process before it runs the loop again.
 */
#include "sim.h"

#include "base/exit_status.h"

#include "core/loop.h"
#include "os/cgroup.h"
#include "os/event.h"
#include "os/inet.h"
#include "os/notify_socket.h"
#include "os/pipe.h"
#include "os/proc.h"
#include "os/signals.h"
#include "os/system.h"
#include "os/unix_socket.h"
#include "os/watchdog.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sim_world sim;

/* ------------------------------------------------------------- the record */

static void record(enum sim_event_kind kind, pid_t pid, int sig, const char *what) {
        if (sim.n_events == SIM_MAX_EVENTS)
                sim_fatal("event stream full");
        struct sim_event *e = &sim.events[sim.n_events++];
        e->t = sim_t();
        e->kind = kind;
        e->pid = pid;
        e->sig = sig;
        snprintf(e->what, sizeof(e->what), "%s", what ? what : "");
}

void sim_record(enum sim_event_kind kind, pid_t pid, int sig, const char *what) {
        record(kind, pid, sig, what);
}

/* ------------------------------------------------------------------ fds */

static int fd_new(enum sim_fd_kind kind) {
        if (sim.n_fds == SIM_MAX_FDS)
                sim_fatal("out of fake fds");
        size_t i = sim.n_fds++;
        sim.fds[i] = (struct sim_fd){ .kind = kind };
        return SIM_FD_BASE + (int)i;
}

static struct sim_fd *fd_get(int fd) {
        if (fd < SIM_FD_BASE || fd - SIM_FD_BASE >= (int)sim.n_fds)
                return NULL;
        return &sim.fds[fd - SIM_FD_BASE];
}

/* ---------------------------------------------------------------- clock */

uint64_t os_now_usec(void) {
        return sim.now;
}

uint64_t os_realtime_usec(void) {
        return (uint64_t)((int64_t)(sim.now - SIM_T0 + SIM_REALTIME_T0) + sim.realtime_offset);
}

/* ------------------------------------------------------------ processes */

struct sim_proc *sim_proc(pid_t pid) {
        for (size_t i = 0; i < sim.n_procs; i++)
                if (sim.procs[i].pid == pid)
                        return &sim.procs[i];
        return NULL;
}

static void queue_signal(int sig) {
        sim.pending_signals |= UINT64_C(1) << sig;
}

/* The process ends with wait status status (it becomes a zombie for its
 * parent; its children go to vigil, the subreaper). */
void sim_proc_die(struct sim_proc *p, int status) {
        if (!p->alive)
                return;
        p->alive = false;
        p->status = status;
        for (size_t i = 0; i < sim.n_procs; i++)
                if (sim.procs[i].ppid == p->pid)
                        sim.procs[i].ppid = SIM_SELF_PID;
        for (size_t i = 0; i < sim.n_fds; i++)
                if (sim.fds[i].kind == SIM_FD_PIPE_READ && sim.fds[i].writer == p->pid)
                        sim.fds[i].eof = true;
        if (p->ppid == SIM_SELF_PID) {
                p->zombie = true;
                p->death_seq = ++sim.death_seq;
                queue_signal(SIGCHLD);
        } else {
                p->reaped = true; /* its own parent reaps it */
        }
}

static bool fatal_by_default(int sig) {
        switch (sig) {
        case SIGCHLD:
        case SIGCONT:
        case SIGURG:
        case SIGWINCH:
        case SIGSTOP:
        case SIGTSTP:
        case SIGTTIN:
        case SIGTTOU:
                return false;
        default:
                return true;
        }
}

static void deliver(struct sim_proc *p, int sig) {
        if (!p->alive || sig == 0)
                return;
        if (sig != SIGKILL && (p->handled & (UINT64_C(1) << sig)))
                return;
        if (sig == SIGKILL || fatal_by_default(sig))
                sim_proc_die(p, sig); /* WIFSIGNALED, WTERMSIG == sig */
}

static bool in_target(const struct sim_proc *p, pid_t target) {
        if (p->reaped)
                return false;
        if (target == -1)
                return p->pid != SIM_SELF_PID;
        if (target < 0)
                return p->pgid == -target;
        return p->pid == target;
}

int os_kill(pid_t target, int sig) {
        char what[32];
        if (sig != 0) {
                snprintf(what, sizeof(what), "kill %d %d", (int)target, sig);
                record(SIM_EV_KILL, target, sig, what);
        }
        bool found = false;
        for (size_t i = 0; i < sim.n_procs; i++) {
                struct sim_proc *p = &sim.procs[i];
                if (!in_target(p, target))
                        continue;
                found = true;
                deliver(p, sig);
        }
        return found ? 0 : -ESRCH;
}

pid_t os_getpgid(pid_t pid) {
        struct sim_proc *p = sim_proc(pid);
        return p && !p->reaped ? p->pgid : -ESRCH;
}

pid_t os_getpid(void) {
        return SIM_SELF_PID;
}

pid_t os_parent_of(pid_t pid) {
        struct sim_proc *p = sim_proc(pid);
        return p && p->alive ? p->ppid : -ESRCH;
}

pid_t os_reap_one(int *ret_status) {
        struct sim_proc *best = NULL;
        bool children = false;
        for (size_t i = 0; i < sim.n_procs; i++) {
                struct sim_proc *p = &sim.procs[i];
                if (p->reaped || p->ppid != SIM_SELF_PID)
                        continue;
                children = true;
                if (p->zombie && (!best || p->death_seq < best->death_seq))
                        best = p;
        }
        if (!best)
                return children ? 0 : -ECHILD;
        best->zombie = false;
        best->reaped = true;
        *ret_status = best->status;
        return best->pid;
}

bool os_has_children(void) {
        for (size_t i = 0; i < sim.n_procs; i++)
                if (!sim.procs[i].reaped && sim.procs[i].ppid == SIM_SELF_PID)
                        return true;
        return false;
}

struct sim_proc *sim_proc_new(pid_t ppid, pid_t pgid) {
        if (sim.n_procs == SIM_MAX_PROCS)
                sim_fatal("out of fake processes");
        struct sim_proc *p = &sim.procs[sim.n_procs++];
        *p = (struct sim_proc){ .pid = sim.next_pid++, .ppid = ppid, .alive = true };
        p->pgid = pgid ? pgid : p->pid;
        return p;
}

int os_spawn(const struct spawn_plan *plan, pid_t *ret_pid, int *ret_status_fd) {
        if (sim.spawn_error) {
                int r = sim.spawn_error;
                sim.spawn_error = 0;
                return r;
        }
        pid_t pgid = plan->group == SPAWN_GROUP_INHERIT ? SIM_SELF_PID : 0;
        struct sim_proc *p = sim_proc_new(SIM_SELF_PID, pgid);
        char what[SIM_WHAT_MAX] = "";
        size_t off = 0;
        for (size_t i = 0; plan->argv[i] && off < sizeof(what) - 1; i++)
                off += (size_t)snprintf(what + off, sizeof(what) - off, "%s%s", i ? " " : "", plan->argv[i]);
        snprintf(p->argv, sizeof(p->argv), "%s", what);
        struct sim_fd *out = fd_get(plan->stdout_fd);
        if (out && out->kind == SIM_FD_PIPE_WRITE)
                fd_get(out->peer)->writer = p->pid;
        record(SIM_EV_SPAWN, p->pid, 0, what);
        *ret_pid = p->pid;
        *ret_status_fd = fd_new(SIM_FD_STATUS);
        return 0;
}

int os_spawn_read_status(int status_fd, struct spawn_failure *ret) {
        (void)status_fd;
        (void)ret;
        return 0; /* EOF: every exec succeeds */
}

int os_spawn_failure_exit_code(int error) {
        return error == ENOENT ? 127 : 126;
}

int os_run_capture(char *const *argv, int timeout_ms, char *buf, size_t cap, size_t *ret_len, int *ret_status) {
        (void)argv, (void)timeout_ms, (void)buf, (void)cap, (void)ret_len, (void)ret_status;
        return -ENOSYS;
}

int os_rlimit_ceiling(int resource, rlim_t *ret) {
        (void)resource;
        *ret = RLIM_INFINITY;
        return 0;
}

int os_set_child_subreaper(void) {
        return 0;
}

int os_signal_descendants(int sig) {
        char what[32];
        snprintf(what, sizeof(what), "descendants %d", sig);
        record(SIM_EV_KILL_ALL, 0, sig, what);
        int n = 0;
        for (size_t i = 0; i < sim.n_procs; i++)
                if (sim.procs[i].alive) {
                        n++;
                        deliver(&sim.procs[i], sig);
                }
        return n;
}

void proc_tree_mark_descendants(const pid_t *pid, const pid_t *ppid, bool *is_desc, size_t n, pid_t root) {
        (void)pid, (void)ppid, (void)root;
        for (size_t i = 0; i < n; i++)
                is_desc[i] = false;
}

/* -------------------------------------------------------------- signals */

/* Fast forwarding's state (below, at os_fwd_install). */
static uint64_t fwd_installed_sim, fwd_armed;
static pid_t fwd_target_sim;
static uint64_t fwd_wait_mask;
static struct os_fwd_record fwd_records[OS_FWD_RING];
static int fwd_n;

int os_signals_take_over(void) {
        sim.signal_fd = fd_new(SIM_FD_SIGNAL);
        return sim.signal_fd;
}

void os_signals_reset_for_child(void) {
}

int os_signals_set_mask_empty(void) {
        return 0;
}

int os_signals_read(int fd, struct signal_event *ret, int max) {
        (void)fd;
        int n = 0;
        for (int sig = 1; sig < 64 && n < max; sig++)
                if (sim.pending_signals & ~fwd_armed & (UINT64_C(1) << sig)) {
                        sim.pending_signals &= ~(UINT64_C(1) << sig);
                        ret[n++] = (struct signal_event){ .signo = sig, .code = SI_USER, .sender = 0 };
                }
        return n;
}

int os_signal_is_caught(int sig) {
        return sig != SIGKILL && sig != SIGSTOP;
}

/* Fast forwarding, modelled: the signals armed for a wait are hidden from
 * the fake signalfd and taken by a "handler" in os_epoll_pwait() (the pure
 * forward_decide(), os_kill(), a record), one per wait, as the kernel does
 * with the handler's full sa_mask. Bits are the sim's (1 << sig). */

uint64_t os_fwd_install(void) {
        uint64_t kernel = 0;
        for (int sig = 1; sig < 64; sig++)
                if (sig != SIGKILL && sig != SIGSTOP && sig != SIGTTOU &&
                    forward_decide(sig, SI_USER, 0, SIM_SELF_PID) != FORWARD_NO_CHILD_STATE &&
                    forward_decide(sig, SI_USER, 0, SIM_SELF_PID) != FORWARD_NO_FAULT) {
                        fwd_installed_sim |= UINT64_C(1) << sig;
                        kernel |= UINT64_C(1) << (sig - 1);
                }
        return kernel;
}

const uint64_t *os_fwd_arm(pid_t target, pid_t self, uint64_t want) {
        (void)self;
        fwd_armed = 0;
        fwd_target_sim = target;
        for (int sig = 1; sig < 64 && target != 0; sig++)
                if (want & (UINT64_C(1) << (sig - 1)))
                        fwd_armed |= fwd_installed_sim & (UINT64_C(1) << sig);
        return fwd_armed ? &fwd_wait_mask : NULL;
}

static int lowest_armed_pending(void) {
        for (int sig = 1; sig < 64; sig++)
                if (sim.pending_signals & fwd_armed & (UINT64_C(1) << sig))
                        return sig;
        return 0;
}

static void fwd_handle(int sig) {
        sim.pending_signals &= ~(UINT64_C(1) << sig);
        sim.fwd_handled++;
        struct os_fwd_record r = { .ev = { .signo = sig, .code = SI_USER, .sender = 0 } };
        r.verdict = forward_decide(sig, SI_USER, 0, SIM_SELF_PID);
        if (r.verdict == FORWARD_YES)
                r.result = os_kill(fwd_target_sim, sig);
        if (fwd_n < OS_FWD_RING)
                fwd_records[fwd_n++] = r;
}

int os_fwd_take_pending(struct signal_event *ret, int max) {
        int n = 0, sig;
        while (n < max && (sig = lowest_armed_pending()) != 0) {
                sim.pending_signals &= ~(UINT64_C(1) << sig);
                ret[n++] = (struct signal_event){ .signo = sig, .code = SI_USER, .sender = 0 };
        }
        return n;
}

int os_fwd_drain(struct os_fwd_record ret[OS_FWD_RING], unsigned *lost) {
        int n = fwd_n;
        memcpy(ret, fwd_records, sizeof(fwd_records[0]) * (size_t)n);
        fwd_n = 0;
        *lost = 0;
        return n;
}

void sim_signal_vigil(int sig) {
        queue_signal(sig);
}

/* ------------------------------------------------------ epoll and timer */

int os_epoll_create(void) {
        return fd_new(SIM_FD_EPOLL);
}

int os_epoll_add(int epfd, int fd, uint32_t events, void *data) {
        (void)epfd;
        for (size_t i = 0; i < sim.n_regs; i++)
                if (sim.regs[i].fd == fd)
                        return -EEXIST;
        if (sim.n_regs == SIM_MAX_FDS)
                return -ENOSPC;
        sim.regs[sim.n_regs++] = (struct sim_reg){ fd, events, data };
        return 0;
}

int os_epoll_mod(int epfd, int fd, uint32_t events, void *data) {
        (void)epfd;
        for (size_t i = 0; i < sim.n_regs; i++)
                if (sim.regs[i].fd == fd) {
                        sim.regs[i].events = events;
                        sim.regs[i].data = data;
                        return 0;
                }
        return -ENOENT;
}

int os_epoll_del(int epfd, int fd) {
        (void)epfd;
        for (size_t i = 0; i < sim.n_regs; i++)
                if (sim.regs[i].fd == fd) {
                        memmove(&sim.regs[i], &sim.regs[i + 1], (sim.n_regs - i - 1) * sizeof(sim.regs[0]));
                        sim.n_regs--;
                        return 0;
                }
        return -ENOENT;
}

static uint32_t readiness(int fd) {
        struct sim_fd *f = fd_get(fd);
        if (!f)
                return 0;
        switch (f->kind) {
        case SIM_FD_TIMER:
                return f->deadline && f->deadline <= sim.now ? OS_EVENT_IN : 0;
        case SIM_FD_SIGNAL:
                return sim.pending_signals & ~fwd_armed ? OS_EVENT_IN : 0;
        case SIM_FD_NOTIFY:
                return sim.dgram_head != sim.n_dgrams ? OS_EVENT_IN : 0;
        case SIM_FD_STATUS:
                return OS_EVENT_IN | OS_EVENT_HUP; /* exec succeeded: EOF at once */
        case SIM_FD_PIPE_READ:
                return f->eof ? OS_EVENT_IN | OS_EVENT_HUP : 0;
        default:
                return 0;
        }
}

int os_epoll_wait(int epfd, struct os_event *ret, int max, int timeout_ms) {
        (void)epfd;
        (void)timeout_ms;
        int n = 0;
        for (size_t i = 0; i < sim.n_regs && n < max; i++) {
                uint32_t ev = readiness(sim.regs[i].fd) & (sim.regs[i].events | OS_EVENT_HUP | OS_EVENT_ERR);
                if (ev)
                        ret[n++] = (struct os_event){ ev, sim.regs[i].data };
        }
        if (n == 0) {
                /* Nothing is ready at the simulated now: back to the scenario. */
                sim.idle = true;
                loop_exit(0);
                return 0;
        }
        if (++sim.turns > SIM_MAX_TURNS)
                sim_fatal("the loop does not settle at t=%llu (livelock)", (unsigned long long)sim_t());
        return n;
}

int os_epoll_pwait(int epfd, struct os_event *ret, int max, int timeout_ms, const uint64_t *mask) {
        int sig = mask ? lowest_armed_pending() : 0;
        if (sig == 0)
                return os_epoll_wait(epfd, ret, max, timeout_ms);
        /* Nothing else ready: the handler runs in the wait (EINTR). With
         * events ready too the real wait returns them first; the loop then
         * takes the pending ones (os_fwd_take_pending), as modelled here. */
        for (size_t i = 0; i < sim.n_regs; i++)
                if (readiness(sim.regs[i].fd) & (sim.regs[i].events | OS_EVENT_HUP | OS_EVENT_ERR))
                        return os_epoll_wait(epfd, ret, max, timeout_ms);
        if (++sim.turns > SIM_MAX_TURNS)
                sim_fatal("the loop does not settle at t=%llu (livelock)", (unsigned long long)sim_t());
        fwd_handle(sig);
        return 0;
}

int os_timerfd_create(void) {
        sim.timer_fd = fd_new(SIM_FD_TIMER);
        return sim.timer_fd;
}

int os_timerfd_set(int fd, uint64_t deadline_usec) {
        struct sim_fd *f = fd_get(fd);
        if (!f)
                return -EBADF;
        f->deadline = deadline_usec;
        return 0;
}

int os_timerfd_drain(int fd) {
        struct sim_fd *f = fd_get(fd);
        if (!f || !f->deadline || f->deadline > sim.now)
                return 0;
        f->deadline = 0;
        return 1;
}

uint64_t sim_timer_deadline(void) {
        struct sim_fd *f = fd_get(sim.timer_fd);
        return f ? f->deadline : 0;
}

/* -------------------------------------------------------- notify socket */

int os_notify_socket_open(const char *address, int *ret_fd) {
        (void)address;
        *ret_fd = fd_new(SIM_FD_NOTIFY);
        return 0;
}

int os_notify_recv(int fd, char *buf, size_t cap, struct os_datagram *ret) {
        (void)fd;
        if (sim.dgram_head == sim.n_dgrams)
                return -EAGAIN;
        struct sim_dgram *d = &sim.dgrams[sim.dgram_head++];
        size_t len = strlen(d->text);
        *ret = (struct os_datagram){ .has_creds = true, .pid = d->pid };
        ret->truncated = len > cap;
        ret->len = len > cap ? cap : len;
        memcpy(buf, d->text, ret->len);
        return 0;
}

void os_notify_socket_unlink(const char *address) {
        (void)address;
}

int os_notify_send(const char *address, const void *msg, size_t len, int pass_fd) {
        (void)address, (void)msg, (void)len, (void)pass_fd;
        return -ENOSYS;
}

int os_notify_client_open(int *ret_fd) {
        *ret_fd = fd_new(SIM_FD_NOTIFY);
        sim.outer_client_fd = *ret_fd;
        sim.outer_opens++;
        return 0;
}

/* vigil to the outer manager: recorded when delivered (sim.outer_error
 * unset, and not from the socket sim.outer_broken_fd). */
int os_notify_send_nowait(int fd, const char *address, const void *msg, size_t len) {
        char text[256];
        (void)address;
        if (fd != sim.outer_client_fd)
                sim_fatal("a datagram to the outer manager from fd %d, not the client socket %d", fd, sim.outer_client_fd);
        if (sim.outer_broken_fd && fd == sim.outer_broken_fd)
                return -ENOBUFS;
        if (sim.outer_error)
                return sim.outer_error;
        snprintf(text, sizeof(text), "%.*s", (int)len, (const char *)msg);
        sim_record(SIM_EV_OUTER_NOTIFY, 0, 0, text);
        return 0;
}

/* ---------------------------------------------------------------- pipes */

int os_pipe_open(int *ret_read_fd, int *ret_write_fd) {
        int r = fd_new(SIM_FD_PIPE_READ), w = fd_new(SIM_FD_PIPE_WRITE);
        fd_get(w)->peer = r;
        *ret_read_fd = r;
        *ret_write_fd = w;
        return 0;
}

ssize_t os_read(int fd, void *buf, size_t len) {
        (void)buf, (void)len;
        struct sim_fd *f = fd_get(fd);
        return f && f->eof ? 0 : -EAGAIN;
}

int os_output_open(int fd, int *ret_fd, enum os_output_kind *ret_kind) {
        *ret_fd = fd;
        *ret_kind = OS_OUTPUT_FILE;
        return 0;
}

ssize_t os_output_write(int fd, enum os_output_kind kind, const void *buf, size_t len) {
        (void)fd, (void)kind, (void)buf;
        return (ssize_t)len; /* the units' output is not part of the record */
}

int os_wait_writable(int fd, int timeout_ms) {
        (void)fd, (void)timeout_ms;
        return 1;
}

/* --------------------------------------------------------------- system */

bool os_is_machine_init(const char **ret_why) {
        if (ret_why)
                *ret_why = "simulated";
        return false;
}

int os_mount(const char *source, const char *target, const char *type, unsigned long flags, const char *data) {
        (void)source, (void)target, (void)type, (void)flags, (void)data;
        return 0;
}

int os_umount(const char *target) {
        (void)target;
        return 0;
}

int os_remount_read_only(const char *target) {
        (void)target;
        return 0;
}

int os_is_mount_point(const char *path) {
        (void)path;
        return 0;
}

int os_make_dirs(const char *path, mode_t mode) {
        (void)path, (void)mode;
        return 0;
}

int os_set_hostname(const char *name) {
        (void)name;
        return 0;
}

int os_use_console(const char *name) {
        (void)name;
        return 0;
}

int os_reopen_console(void) {
        return 0;
}

void os_sync(void) {
}

int os_disable_cad(void) {
        return 0;
}

int os_reboot(enum os_reboot_cmd cmd, const char *arg) {
        (void)arg;
        record(SIM_EV_REBOOT, 0, (int)cmd, "reboot");
        return -ENOSYS;
}

void os_pause_forever(void) {
        sim_fatal("os_pause_forever() called");
}

/* ---------------------------------------------------------- unix socket */

int os_unix_address(const char *address, struct sockaddr_un *sa, socklen_t *ret_len) {
        (void)address, (void)sa, (void)ret_len;
        return -ENOSYS;
}

int os_unix_claim_path(const char *address, int type) {
        (void)address, (void)type;
        return -ENOSYS;
}

int os_stream_listen(const char *address, mode_t mode, int *ret_fd) {
        (void)address, (void)mode, (void)ret_fd;
        return -ENOSYS;
}

int os_stream_accept(int listen_fd, int *ret_fd, pid_t *ret_pid, uid_t *ret_uid) {
        (void)listen_fd, (void)ret_fd, (void)ret_pid, (void)ret_uid;
        return -EAGAIN;
}

int os_stream_connect(const char *address, int *ret_fd) {
        (void)address, (void)ret_fd;
        return -ENOSYS;
}

int os_stream_connect_timeout(const char *address, int timeout_ms, int *ret_fd) {
        (void)address, (void)timeout_ms, (void)ret_fd;
        return -ENOSYS;
}

ssize_t os_stream_read(int fd, void *buf, size_t len) {
        (void)fd, (void)buf, (void)len;
        return -EAGAIN;
}

ssize_t os_stream_write(int fd, const void *buf, size_t len) {
        (void)fd, (void)buf;
        return (ssize_t)len;
}

int os_stream_shutdown_write(int fd) {
        (void)fd;
        return 0;
}

/* ------------------------------------------------------------- watchdog */

int os_watchdog_open(const char *path) {
        (void)path;
        if (sim.watchdog_fd)
                return -EBUSY;
        sim.watchdog_fd = fd_new(SIM_FD_WATCHDOG);
        record(SIM_EV_WD_OPEN, 0, 0, "watchdog open");
        return sim.watchdog_fd;
}

int os_watchdog_get_support(int fd, struct os_watchdog_info *ret) {
        (void)fd;
        *ret = (struct os_watchdog_info){
                .options = OS_WATCHDOG_SETTIMEOUT | OS_WATCHDOG_MAGICCLOSE | OS_WATCHDOG_KEEPALIVEPING,
        };
        snprintf(ret->identity, sizeof(ret->identity), "sim watchdog");
        return 0;
}

int os_watchdog_get_boot_status(int fd, uint32_t *ret) {
        (void)fd;
        *ret = 0;
        return 0;
}

int os_watchdog_get_timeout(int fd, unsigned *ret_sec) {
        (void)fd;
        *ret_sec = sim.watchdog_timeout_sec;
        return 0;
}

int os_watchdog_set_timeout(int fd, unsigned sec, unsigned *ret_granted_sec) {
        (void)fd;
        char what[32];
        snprintf(what, sizeof(what), "watchdog timeout %u", sec);
        record(SIM_EV_WD_TIMEOUT, 0, (int)sec, what);
        sim.watchdog_timeout_sec = sec;
        *ret_granted_sec = sec;
        return 0;
}

int os_watchdog_keepalive(int fd) {
        (void)fd;
        record(SIM_EV_PET, 0, 0, "pet");
        return 0;
}

int os_watchdog_magic_close(int fd) {
        (void)fd;
        record(SIM_EV_WD_CLOSE, 0, 0, "watchdog magic close");
        return 0;
}

int os_watchdog_nowayout(const char *path, int fd) {
        (void)path, (void)fd;
        return 0;
}

/* ---------------------------------------------------------------- TCP (os/inet.h) */

/* No network in the simulated world: every connection is refused at once.
 * The probe timing rules are the same for every kind of probe; the sim
 * drives them with HealthExec= (tests/sim/test_health.c), and tests/integ
 * drives HealthTCP=/HealthHTTP= against real servers. */
int os_tcp_connect(const struct inet_target *t, int *ret_fd) {
        (void)t, (void)ret_fd;
        return -ECONNREFUSED;
}

int os_socket_error(int fd) {
        (void)fd;
        return -ECONNREFUSED;
}

ssize_t os_socket_send(int fd, const void *buf, size_t len) {
        (void)fd, (void)buf, (void)len;
        return -EPIPE;
}

/* cgroup v2 (os/cgroup.h): the simulated machine has no cgroup2 tree, so
 * units are process groups, as the scenarios expect. */
int os_cgroup_is_cgroup2(const char *path) {
        (void)path;
        return 0;
}

int os_cgroup_mount(const char *path) {
        (void)path;
        return -ENODEV;
}

int os_cgroup_self(char *buf, size_t cap) {
        (void)buf, (void)cap;
        return -ENOENT;
}

int os_cgroup_of(pid_t pid, char *buf, size_t cap) {
        (void)pid, (void)buf, (void)cap;
        return -ENOENT;
}

int os_cgroup_open(int at, const char *name, bool create, int *ret_fd) {
        (void)at, (void)name, (void)create, (void)ret_fd;
        return -ENOENT;
}

int os_cgroup_remove(int at, const char *name) {
        (void)at, (void)name;
        return -ENOENT;
}

int os_cgroup_write(int dir_fd, const char *file, const char *value) {
        (void)dir_fd, (void)file, (void)value;
        return -EBADF;
}

int os_cgroup_read(int dir_fd, const char *file, char *buf, size_t cap) {
        (void)dir_fd, (void)file, (void)buf, (void)cap;
        return -EBADF;
}

int os_cgroup_open_file(int dir_fd, const char *file, bool write, int *ret_fd) {
        (void)dir_fd, (void)file, (void)write, (void)ret_fd;
        return -EBADF;
}

int os_cgroup_read_fd(int fd, char *buf, size_t cap) {
        (void)fd, (void)buf, (void)cap;
        return -EBADF;
}

int os_cgroup_attach(int dir_fd, pid_t pid) {
        (void)dir_fd, (void)pid;
        return -EBADF;
}

int os_cgroup_kill(int dir_fd) {
        (void)dir_fd;
        return -EBADF;
}

int os_cgroup_signal_procs(int dir_fd, int sig) {
        (void)dir_fd, (void)sig;
        return -EBADF;
}
