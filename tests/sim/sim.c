/* SPDX-License-Identifier: MIT */
/* The harness of the simulated-clock tier: see sim.h. */
#include "sim.h"

#include "core/log.h"
#include "core/loop.h"
#include "logcap/output.h"
#include "supervise/manager.h"
#include "supervise/supervisor.h"
#include "supervise/unit_view.h"
#include "system/end_action.h"
#include "unit/unit_state.h"
#include "watchdog/hw_watchdog.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void remove_dirs(void);
static void dump_events(void);

static char dir[64];           /* the scenario's temporary directory */
static char units_dir[96];
static char *units_dirs[1];
static struct startup_config startup;
static char startup_dir[96], rc_local[96];

/* ---------------------------------------------------------------- report */

static const char *kind_name(enum sim_event_kind k) {
        static const char *const names[] = { "spawn", "kill", "kill-all", "pet", "wd-open", "wd-timeout",
                                             "wd-close", "reboot", "exit", "outer-notify" };
        return names[k];
}

static void dump_events(void) {
        fprintf(stderr, "-- event stream (%zu):\n", sim.n_events);
        for (size_t i = 0; i < sim.n_events; i++) {
                const struct sim_event *e = &sim.events[i];
                fprintf(stderr, "  [%zu] t=%llu.%06llu %s pid=%d sig=%d %s\n", i,
                        (unsigned long long)(e->t / SEC), (unsigned long long)(e->t % SEC), kind_name(e->kind),
                        (int)e->pid, e->sig, e->what);
        }
}

void sim_fatal(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "SIM CHECK FAILED at t=%llu: ", (unsigned long long)sim_t());
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        dump_events();
        fflush(stderr);
        remove_dirs();
        _exit(1);
}

/* --------------------------------------------------------------- set-up */

static void make_dirs(void) {
        if (dir[0])
                return;
        snprintf(dir, sizeof(dir), "/tmp/vigil-sim.XXXXXX");
        if (!mkdtemp(dir))
                sim_fatal("mkdtemp failed");
        snprintf(units_dir, sizeof(units_dir), "%s/units", dir);
        snprintf(startup_dir, sizeof(startup_dir), "%s/startup", dir);
        snprintf(rc_local, sizeof(rc_local), "%s/rc.local", dir);
        if (mkdir(units_dir, 0755) < 0 || mkdir(startup_dir, 0755) < 0)
                sim_fatal("mkdir failed");
}

void sim_unit(const char *name, const char *text) {
        make_dirs();
        char path[256];
        snprintf(path, sizeof(path), "%s/%s.service", units_dir, name);
        FILE *f = fopen(path, "w");
        if (!f || fputs(text, f) < 0 || fclose(f) != 0)
                sim_fatal("cannot write %s", path);
}

static void remove_dirs(void) {
        if (!dir[0])
                return;
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0)
                fprintf(stderr, "cannot remove %s\n", dir);
}

static void finished(int code) {
        sim.exited = true;
        sim.exit_code = code;
        sim_record(SIM_EV_EXIT, (pid_t)supervisor_end_action(), code, end_action_name(supervisor_end_action()));
}

void sim_boot(const struct sim_options *o) {
        make_dirs();
        sim.now = SIM_T0;
        sim.next_pid = 1000;
        units_dirs[0] = units_dir;
        startup = (struct startup_config){ .dir = startup_dir, .rc_local = rc_local };
        struct supervisor_config c = {
                .kill_all = true,
                .kill_all_timeout_usec = o->kill_all_timeout_usec ? o->kill_all_timeout_usec : 5 * SEC,
                .stop_timeout_usec = o->stop_timeout_usec,
                .drain_usec = o->drain_usec,
                .default_timeout_start_usec = o->timeout_start_usec ? o->timeout_start_usec : 90 * SEC,
                .default_timeout_stop_usec = o->timeout_stop_usec ? o->timeout_stop_usec : 90 * SEC,
                .unit_dirs = units_dirs,
                .n_unit_dirs = 1,
                .notify_socket = "@vigil-sim-notify",
                .startup = &startup,
                .system_mode = o->system_mode,
                .on_exit = END_REBOOT,
        };
        log_set_level(LOG_LEVEL_DEBUG);
        sim_check(supervisor_init(&c) == 0, "supervisor_init failed");
        sim_check(output_init(LOG_FORMAT_PREFIXED, STDOUT_FILENO) == 0, "output_init failed");
        sim_check(supervisor_load_units() == 0, "supervisor_load_units failed");
        if (o->main_argv)
                supervisor_set_main(o->main_argv);
        if (o->hw_watchdog_usec) {
                struct hw_watchdog_config w = { .device = "/dev/sim-watchdog",
                                                .runtime_usec = o->hw_watchdog_usec,
                                                .reboot_usec = o->hw_reboot_usec,
                                                .system_mode = o->system_mode };
                sim_check(hw_watchdog_open(&w) == 0, "hw_watchdog_open failed");
        }
        sim.idle = false;
        int code = supervisor_run();
        if (!sim.idle)
                finished(code);
}

void sim_boot_default(void) {
        struct sim_options o = { 0 };
        sim_boot(&o);
}

/* -------------------------------------------------------------- driving */

void sim_settle(void) {
        if (sim.exited)
                return;
        sim.idle = false;
        int code = loop_run();
        if (!sim.idle)
                finished(code);
}

void sim_advance_to(uint64_t t) {
        uint64_t target = SIM_T0 + t;
        sim_check(target >= sim.now, "time goes forward only");
        sim_settle();
        for (;;) {
                uint64_t d = sim_timer_deadline();
                if (sim.exited || d == 0 || d > target)
                        break;
                if (d > sim.now)
                        sim.now = d;
                sim_settle();
        }
        sim.now = target;
        sim_settle();
}

void sim_advance(uint64_t usec) {
        sim_advance_to(sim_t() + usec);
}

void sim_jump_realtime(int64_t usec) {
        sim.realtime_offset += usec;
}

void sim_exit(pid_t pid, int code) {
        struct sim_proc *p = sim_proc(pid);
        sim_check(p && p->alive, "sim_exit: pid %d is not alive", (int)pid);
        sim_proc_die(p, (code & 0xff) << 8);
        sim_settle();
}

void sim_kill_proc(pid_t pid, int sig) {
        struct sim_proc *p = sim_proc(pid);
        sim_check(p && p->alive, "sim_kill_proc: pid %d is not alive", (int)pid);
        sim_proc_die(p, sig);
        sim_settle();
}

void sim_handle(pid_t pid, int sig) {
        struct sim_proc *p = sim_proc(pid);
        sim_check(p, "sim_handle: no pid %d", (int)pid);
        p->handled |= UINT64_C(1) << sig;
}

pid_t sim_fork(pid_t parent) {
        struct sim_proc *pp = sim_proc(parent);
        sim_check(pp && pp->alive, "sim_fork: pid %d is not alive", (int)parent);
        pid_t pgid = pp->pgid;
        return sim_proc_new(parent, pgid)->pid;
}

void sim_group_empty(pid_t pgid) {
        for (size_t i = 0; i < sim.n_procs; i++)
                if (sim.procs[i].alive && sim.procs[i].pgid == pgid)
                        sim_proc_die(&sim.procs[i], 0);
        sim_settle();
}

void sim_notify(pid_t pid, const char *text) {
        sim_check(sim.n_dgrams < SIM_MAX_DGRAMS, "too many datagrams");
        struct sim_dgram *d = &sim.dgrams[sim.n_dgrams++];
        d->pid = pid;
        snprintf(d->text, sizeof(d->text), "%s", text);
        sim_settle();
}

void sim_signal(int sig) {
        sim_signal_vigil(sig);
        sim_settle();
}

static bool has_prefix(const char *s, const char *prefix) {
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

pid_t sim_find_pid(const char *argv_prefix) {
        for (size_t i = sim.n_procs; i-- > 0;)
                if (sim.procs[i].alive && has_prefix(sim.procs[i].argv, argv_prefix))
                        return sim.procs[i].pid;
        return 0;
}

pid_t sim_pid(const char *argv_prefix) {
        pid_t p = sim_find_pid(argv_prefix);
        sim_check(p > 0, "no live process '%s'", argv_prefix);
        return p;
}

bool sim_alive(pid_t pid) {
        struct sim_proc *p = sim_proc(pid);
        return p && p->alive;
}

/* ------------------------------------------------------------- checking */

static bool t_ok(const struct sim_event *e, uint64_t t) {
        return t == SIM_ANY_T || e->t == t;
}

static const char *t_text(uint64_t t, char *buf, size_t n) {
        if (t == SIM_ANY_T)
                return "any time";
        snprintf(buf, n, "t=%llu.%06llu", (unsigned long long)(t / SEC), (unsigned long long)(t % SEC));
        return buf;
}

static bool match_kill(const struct sim_event *e, pid_t target, int sig) {
        return e->kind == SIM_EV_KILL && e->pid == target && e->sig == sig;
}

/* The next event matching, from the cursor: its index, or fatal. A match at
 * another time than t is a failure too (it names the time seen). */
#define EXPECT_NEXT(c, t, cond, ...) \
        do { \
                for (size_t i_ = (c)->next; i_ < sim.n_events; i_++) { \
                        const struct sim_event *e = &sim.events[i_]; \
                        if (!(cond)) \
                                continue; \
                        char tb_[32]; \
                        sim_check(t_ok(e, t), "event [%zu] came at the wrong time (want %s)", i_, \
                                  t_text(t, tb_, sizeof(tb_))); \
                        (c)->next = i_ + 1; \
                        return_hook; \
                } \
                sim_fatal(__VA_ARGS__); \
        } while (0)

pid_t expect_spawn(struct sim_cursor *c, const char *argv_prefix, uint64_t t) {
        char tb[32];
#define return_hook return e->pid
        EXPECT_NEXT(c, t, e->kind == SIM_EV_SPAWN && has_prefix(e->what, argv_prefix),
                    "expected a spawn of '%s' at %s after event [%zu]", argv_prefix, t_text(t, tb, sizeof(tb)),
                    c->next);
#undef return_hook
}

#define return_hook return
void expect_kill(struct sim_cursor *c, pid_t target, int sig, uint64_t t) {
        char tb[32];
        EXPECT_NEXT(c, t, match_kill(e, target, sig), "expected kill(%d, %d) at %s after event [%zu]", (int)target,
                    sig, t_text(t, tb, sizeof(tb)), c->next);
}

void expect_kill_all(struct sim_cursor *c, int sig, uint64_t t) {
        char tb[32];
        EXPECT_NEXT(c, t, e->kind == SIM_EV_KILL_ALL && e->sig == sig,
                    "expected a kill-all with %d at %s after event [%zu]", sig, t_text(t, tb, sizeof(tb)), c->next);
}

void expect_pet(struct sim_cursor *c, uint64_t t) {
        char tb[32];
        EXPECT_NEXT(c, t, e->kind == SIM_EV_PET, "expected a pet at %s after event [%zu]", t_text(t, tb, sizeof(tb)),
                    c->next);
}

void expect_exit(struct sim_cursor *c, int code, uint64_t t) {
        char tb[32];
        EXPECT_NEXT(c, t, e->kind == SIM_EV_EXIT && e->sig == code,
                    "expected vigil to end with code %d at %s after event [%zu]", code, t_text(t, tb, sizeof(tb)),
                    c->next);
}
#undef return_hook

size_t count_spawns(const struct sim_cursor *c, const char *argv_prefix) {
        size_t n = 0;
        for (size_t i = c->next; i < sim.n_events; i++)
                n += sim.events[i].kind == SIM_EV_SPAWN && has_prefix(sim.events[i].what, argv_prefix);
        return n;
}

size_t count_kills(const struct sim_cursor *c, pid_t target, int sig) {
        size_t n = 0;
        for (size_t i = c->next; i < sim.n_events; i++)
                n += match_kill(&sim.events[i], target, sig);
        return n;
}

size_t count_pets_between(uint64_t from, uint64_t to) {
        size_t n = 0;
        for (size_t i = 0; i < sim.n_events; i++)
                n += sim.events[i].kind == SIM_EV_PET && sim.events[i].t >= from && sim.events[i].t <= to;
        return n;
}

uint64_t last_pet(void) {
        for (size_t i = sim.n_events; i-- > 0;)
                if (sim.events[i].kind == SIM_EV_PET)
                        return sim.events[i].t;
        return UINT64_MAX;
}

bool sim_log_has(const char *text) {
        /* stderr is the scenario's log file (sim_run_isolated()). */
        static char buf[1 << 20];
        fflush(stderr);
        ssize_t n = pread(STDERR_FILENO, buf, sizeof(buf) - 1, 0);
        if (n < 0)
                sim_fatal("cannot read the log back");
        buf[n] = '\0';
        return strstr(buf, text) != NULL;
}

const char *sim_unit_state(const char *name) {
        struct unit *u = manager_find(name);
        sim_check(u, "no unit %s", name);
        return unit_state_to_string(unit_get_state(u));
}

void expect_state(const char *unit, const char *state) {
        const char *s = sim_unit_state(unit);
        sim_check(strcmp(s, state) == 0, "%s is %s, expected %s", unit, s, state);
}

void expect_result(const char *unit, const char *result) {
        struct unit *u = manager_find(unit);
        sim_check(u, "no unit %s", unit);
        struct unit_view v;
        unit_view_of(u, &v);
        const char *r = unit_result_to_string(v.result);
        sim_check(strcmp(r, result) == 0, "%s has result %s, expected %s", unit, r, result);
}

/* --------------------------------------------------------------- runner */

int sim_run_isolated(const char *name, sim_scenario_fn fn) {
        FILE *log = tmpfile();
        if (!log)
                return -1;
        fflush(stdout);
        fflush(stderr);
        pid_t pid = fork();
        if (pid < 0)
                return -1;
        if (pid == 0) {
                dup2(fileno(log), STDERR_FILENO);
                atexit(remove_dirs);
                fn();
                if (getenv("SIM_DUMP")) {
                        dup2(STDOUT_FILENO, STDERR_FILENO);
                        dump_events();
                }
                remove_dirs();
                _exit(0);
        }
        int status;
        if (waitpid(pid, &status, 0) < 0)
                return -1;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
                fclose(log);
                return 0;
        }
        /* vigil's log and the stream, as the child left them. */
        fprintf(stdout, "---- %s: log and event stream\n", name);
        rewind(log);
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof(buf), log)) > 0)
                fwrite(buf, 1, n, stdout);
        fclose(log);
        fflush(stdout);
        return 1;
}

void sim_boot_sigterm_chain(const struct sim_options *o, struct sim_cursor *c, pid_t p[3]) {
        sim_unit("a", "[Service]\nExecStart=/bin/a\n");
        sim_unit("b", "[Unit]\nAfter=a.service\n[Service]\nExecStart=/bin/b\n");
        sim_unit("c", "[Unit]\nAfter=b.service\n[Service]\nExecStart=/bin/c\n");
        if (o)
                sim_boot(o);
        else
                sim_boot_default();
        p[0] = expect_spawn(c, "/bin/a", 0);
        p[1] = expect_spawn(c, "/bin/b", 0);
        p[2] = expect_spawn(c, "/bin/c", 0);
        for (int i = 0; i < 3; i++)
                sim_handle(p[i], SIGTERM);
        sim_advance_to(10 * SEC);
        sim_signal(SIGTERM);
}
