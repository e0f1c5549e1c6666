/* SPDX-License-Identifier: MIT */
/*
 * The simulated-clock tier (tests/sim/README.md): the real supervisor,
 * manager, units and loop over a fake os/ (fake_os.c). A scenario writes
 * unit files, boots vigil at simulated t=0, then moves time (sim_advance),
 * ends processes (sim_exit), sends sd_notify datagrams as a process
 * (sim_notify), and asserts on the ORDERED event stream vigil produced
 * (spawns, signals, watchdog pets, its own end) with the expect_* helpers.
 *
 * Every scenario runs in a child process of its own (the product's state is
 * static): SIM_SCENARIO() defines the cmocka test that forks it. A failed
 * check prints the event stream and vigil's log, and ends the child.
 */
#ifndef VIGIL_TESTS_SIM_H
#define VIGIL_TESTS_SIM_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SIM_T0 (1000 * UINT64_C(1000000))          /* CLOCK_MONOTONIC at boot */
#define SIM_REALTIME_T0 (UINT64_C(1700000000) * 1000000)
#define SIM_SELF_PID 100                           /* vigil: not PID 1 (a subreaper) */
#define SIM_FD_BASE 0x40000000                     /* fake fds: never a real one */
#define SIM_MAX_EVENTS 4096
#define SIM_MAX_FDS 512
#define SIM_MAX_PROCS 512
#define SIM_MAX_DGRAMS 256
#define SIM_MAX_TURNS 100000
#define SIM_WHAT_MAX 160

#define SEC UINT64_C(1000000)
#define MSEC UINT64_C(1000)

enum sim_event_kind {
        SIM_EV_SPAWN,       /* pid, what = argv */
        SIM_EV_KILL,        /* pid = target (negative: a group), sig */
        SIM_EV_KILL_ALL,    /* the kill-all: sig to every descendant */
        SIM_EV_PET,         /* hardware watchdog keepalive */
        SIM_EV_WD_OPEN,
        SIM_EV_WD_TIMEOUT,  /* sig = seconds asked for */
        SIM_EV_WD_CLOSE,
        SIM_EV_REBOOT,
        SIM_EV_EXIT,        /* vigil's loop ended: sig = exit code, pid = end action */
        SIM_EV_OUTER_NOTIFY,/* a datagram to the outer manager: what = its text */
};

struct sim_event {
        uint64_t t;         /* usec since boot */
        enum sim_event_kind kind;
        pid_t pid;
        int sig;
        char what[SIM_WHAT_MAX];
};

enum sim_fd_kind { SIM_FD_EPOLL, SIM_FD_TIMER, SIM_FD_SIGNAL, SIM_FD_NOTIFY, SIM_FD_STATUS,
                   SIM_FD_PIPE_READ, SIM_FD_PIPE_WRITE, SIM_FD_WATCHDOG };

struct sim_fd {
        enum sim_fd_kind kind;
        uint64_t deadline;  /* timer: absolute, 0 disarmed */
        int peer;           /* pipe write end: its read end */
        pid_t writer;       /* pipe read end: the process writing (EOF once it is gone) */
        bool eof;
};

struct sim_reg {
        int fd;
        uint32_t events;
        void *data;
};

struct sim_proc {
        pid_t pid, ppid, pgid;
        bool alive, zombie, reaped;
        int status;
        uint64_t death_seq;
        uint64_t handled;   /* signals it catches (does not die of) */
        char argv[SIM_WHAT_MAX];
};

struct sim_dgram {
        pid_t pid;
        char text[256];
};

struct sim_world {
        uint64_t now;
        int64_t realtime_offset;
        struct sim_event events[SIM_MAX_EVENTS];
        size_t n_events;
        struct sim_fd fds[SIM_MAX_FDS];
        size_t n_fds;
        struct sim_reg regs[SIM_MAX_FDS];
        size_t n_regs;
        struct sim_proc procs[SIM_MAX_PROCS];
        size_t n_procs;
        pid_t next_pid;
        uint64_t death_seq;
        uint64_t pending_signals;
        int signal_fd, timer_fd, watchdog_fd;
        unsigned watchdog_timeout_sec;
        struct sim_dgram dgrams[SIM_MAX_DGRAMS];
        size_t n_dgrams, dgram_head;
        bool idle;          /* the fake epoll found nothing ready */
        bool exited;        /* vigil's loop ended for good */
        int exit_code;
        unsigned long turns;
        int spawn_error;    /* the next os_spawn() fails with it */
        int outer_error;    /* os_notify_send_nowait() fails with it while set (-EAGAIN: full) */
        int outer_client_fd;   /* the last os_notify_client_open() socket */
        unsigned outer_opens;  /* how many were opened */
        int outer_broken_fd;   /* sends from this socket fail (-ENOBUFS); 0: none */
        unsigned fwd_handled; /* signals the fast-forwarding "handler" took in the wait */
};

extern struct sim_world sim;

/* ------------------------------------------------------------ the world */

void sim_fatal(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void sim_record(enum sim_event_kind kind, pid_t pid, int sig, const char *what);
struct sim_proc *sim_proc(pid_t pid);
struct sim_proc *sim_proc_new(pid_t ppid, pid_t pgid);
void sim_proc_die(struct sim_proc *p, int status);
void sim_signal_vigil(int sig);
uint64_t sim_timer_deadline(void);

static inline uint64_t sim_t(void) {
        return sim.now - SIM_T0;
}

/* ------------------------------------------------------------- set-up */

/* A unit file NAME.service with this text, in the units directory. */
void sim_unit(const char *name, const char *text);

struct sim_options {
        bool system_mode;
        uint64_t timeout_stop_usec;   /* 0: 90 s */
        uint64_t timeout_start_usec;  /* 0: 90 s */
        uint64_t kill_all_timeout_usec; /* 0: 5 s */
        char *const *main_argv;       /* the main command, or NULL */
        uint64_t hw_watchdog_usec;    /* --runtime-watchdog-sec; 0: no device */
        uint64_t hw_reboot_usec;      /* --reboot-watchdog-sec */
        uint64_t stop_timeout_usec;   /* --stop-timeout; 0: none */
        uint64_t drain_usec;          /* --drain-sec; 0: none */
};

/* supervisor_init, load the units, (hw watchdog), supervisor_run until idle. */
void sim_boot(const struct sim_options *o);
void sim_boot_default(void);

/* ------------------------------------------------------------- driving */

/* Run the loop until nothing is ready at the simulated now. */
void sim_settle(void);
/* Move the monotonic clock by usec, firing every due timer at its time. */
void sim_advance(uint64_t usec);
/* Move to an absolute time since boot (not backwards). */
void sim_advance_to(uint64_t t);
/* Move CLOCK_REALTIME only (a settimeofday, an NTP step). */
void sim_jump_realtime(int64_t usec);

/* The process ends: exit code / killed by sig. Then the loop settles. */
void sim_exit(pid_t pid, int code);
void sim_kill_proc(pid_t pid, int sig);
/* The process catches sig: it does not die of it (SIGKILL always kills). */
void sim_handle(pid_t pid, int sig);
/* A helper the process forks (same process group). */
pid_t sim_fork(pid_t parent);
/* Every live member of the group ends (code 0); then the loop settles. */
void sim_group_empty(pid_t pgid);
/* A datagram "text" on the notify socket, from pid; then the loop settles. */
void sim_notify(pid_t pid, const char *text);
/* A signal to vigil itself; then the loop settles. */
void sim_signal(int sig);

/* The newest live process whose argv starts with prefix; fails if none. */
pid_t sim_pid(const char *argv_prefix);
/* Same, 0 when none. */
pid_t sim_find_pid(const char *argv_prefix);
bool sim_alive(pid_t pid);

/* ------------------------------------------------------------ checking */

#define sim_check(cond, ...) \
        do { \
                if (!(cond)) \
                        sim_fatal(__VA_ARGS__); \
        } while (0)

/* A cursor into the event stream: every expect_* searches forward from it
 * and moves it past the match, so a sequence of expects checks order. */
struct sim_cursor {
        size_t next;
};

/* The next spawn whose argv starts with prefix; returns its pid. t: its
 * time since boot, or SIM_ANY_T. */
#define SIM_ANY_T UINT64_MAX
pid_t expect_spawn(struct sim_cursor *c, const char *argv_prefix, uint64_t t);

/* a <- b <- c (After=), each catching SIGTERM, booted with o (NULL: the
 * defaults); their pids in p; vigil gets SIGTERM at 10 s. */
void sim_boot_sigterm_chain(const struct sim_options *o, struct sim_cursor *c, pid_t p[3]);
/* The next kill(target, sig) at time t (or SIM_ANY_T). */
void expect_kill(struct sim_cursor *c, pid_t target, int sig, uint64_t t);
/* The next kill-all with sig. */
void expect_kill_all(struct sim_cursor *c, int sig, uint64_t t);
void expect_pet(struct sim_cursor *c, uint64_t t);
/* vigil's loop ended with this code at t. */
void expect_exit(struct sim_cursor *c, int code, uint64_t t);

/* How many events match from the cursor on (not moving it). */
size_t count_spawns(const struct sim_cursor *c, const char *argv_prefix);
size_t count_kills(const struct sim_cursor *c, pid_t target, int sig);
size_t count_pets_between(uint64_t from, uint64_t to);
/* Time of the last pet (UINT64_MAX if none). */
uint64_t last_pet(void);

/* vigil's log so far (debug level) holds a line containing text. */
bool sim_log_has(const char *text);

/* The unit's state by name ("active", "failed", ...). */
const char *sim_unit_state(const char *name);
void expect_state(const char *unit, const char *state);
/* The unit's result (status --json "result"), e.g. "start-limit-hit". */
void expect_result(const char *unit, const char *result);

/* --------------------------------------------------------------- runner */

typedef void (*sim_scenario_fn)(void);
/* Run fn in a child; 0 when it passed. */
int sim_run_isolated(const char *name, sim_scenario_fn fn);

#define SIM_SCENARIO(name) \
        static void name##_body(void); \
        static void name(void **state) { \
                (void)state; \
                if (sim_run_isolated(#name, name##_body) != 0) \
                        fail_msg("scenario %s failed", #name); \
        } \
        static void name##_body(void)

#endif
