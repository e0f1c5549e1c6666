/* SPDX-License-Identifier: MIT */
/* A unit's Exec*= commands at run time (part of the unit module, beside
 * unit.c, the one state writer): the main process (ExecStart=, Type=exec's
 * status pipe, Type=forking's PIDFile=, Type=oneshot's sequence) and the
 * control commands (ExecCondition=, ExecStartPre=... ExecStopPost=), one
 * at a time; their exits become results and history records, and events
 * for unit_feed(); u->state is never written here. */
#include "supervise/unit_internal.h"

#include "base/signame.h"
#include "os/event.h"
#include "os/fd.h"
#include "os/proc.h"
#include "supervise/proc_index.h"
#include "supervise/unit_source.h"
#include "unit/unit_result.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- exec status (Type=exec) */

static void exec_status_ready(struct loop_io *io, uint32_t events) {
        (void)events;
        struct unit *u = io->data;
        struct spawn_failure failure;
        int r = os_spawn_read_status(io->fd, &failure);
        if (r == -EAGAIN)
                return;
        loop_io_del(io);
        if (r == 1) {
                unit_log(LOG_LEVEL_ERROR, u, "cannot %s %s: %s", spawn_stage_action(failure.stage),
                         u->config.exec_start.v[0].path, strerror(failure.error));
                /* The child exits 127/126; main-exited follows. */
        }
        os_close(u->main_status_fd);
        u->main_status_fd = -1;
        if (r == 0)
                unit_feed(u, UNIT_EV_STARTED, UNIT_RESULT_KEEP);
}

/* ---------------------------------------------------------------- main process */

void unit_main_spawn(struct unit *u) {
        const struct exec_list *l = &u->config.exec_start;
        if (l->n == 0 || u->exec_start_next >= l->n) {
                /* oneshot without ExecStart= (loader allows with RemainAfterExit=). */
                unit_feed(u, UNIT_EV_MAIN_EXITED, UNIT_RESULT_SUCCESS);
                return;
        }
        const struct exec_command *cmd = &l->v[u->exec_start_next++];
        pid_t pid;
        int status_fd;
        int r = unit_spawn(u, cmd, false, true, &pid, &status_fd);
        if (r < 0) {
                /* As if the child had failed before exec: 126 (systemd's 2xx codes are not used). */
                u->main_exit = (struct exit_info){ .exited = true, .code = 126 };
                u->main_exit_known = true;
                unit_feed(u, UNIT_EV_MAIN_EXITED, unit_spawn_failure_result(r));
                return;
        }
        u->main_pid = pid;
        u->main_started = loop_now();
        u->main_status_fd = status_fd;
        if (proc_index_add_pid(pid, u, UNIT_PROC_MAIN) < 0)
                unit_log(LOG_LEVEL_WARNING, u, "out of memory tracking pid %d", (int)pid);
        unit_log(LOG_LEVEL_INFO, u, "started %s (pid %d)", cmd->path, (int)pid);
        if (u->config.type == SERVICE_SIMPLE)
                unit_feed(u, UNIT_EV_STARTED, UNIT_RESULT_KEEP);
        else if (u->config.type == SERVICE_EXEC) {
                u->exec_io = (struct loop_io){ .fd = status_fd, .ready = exec_status_ready, .data = u };
                if (loop_io_add(&u->exec_io, OS_EVENT_IN) < 0)
                        unit_feed(u, UNIT_EV_STARTED, UNIT_RESULT_KEEP); /* fall back to "simple" */
        }
}

/* Read PIDFile= of a Type=forking unit once its parent is gone. */
static pid_t read_pid_file(struct unit *u) {
        char *text = NULL;
        size_t size = 0;
        int r = unit_source_read_file(u->config.pid_file, &text, &size);
        if (r < 0) {
                unit_log(LOG_LEVEL_ERROR, u, "cannot read PIDFile=%s: %s", u->config.pid_file, strerror(-r));
                return 0;
        }
        char *end;
        errno = 0;
        long pid = strtol(text, &end, 10);
        while (end && (*end == '\n' || *end == ' ' || *end == '\t'))
                end++;
        bool ok = errno == 0 && end != text && *end == '\0' && pid > 1 && pid < (1L << 22);
        free(text);
        if (!ok) {
                unit_log(LOG_LEVEL_ERROR, u, "PIDFile=%s does not hold a valid pid", u->config.pid_file);
                return 0;
        }
        if (os_kill((pid_t)pid, 0) < 0) {
                unit_log(LOG_LEVEL_ERROR, u, "PIDFile=%s names pid %ld, which is not running", u->config.pid_file, pid);
                return 0;
        }
        return (pid_t)pid;
}

/* What the exit of one of u's processes means (unit/unit_result.h). */
static enum unit_result result_of_exit(struct unit *u, const struct exit_info *e, bool core, bool command) {
        struct unit_exit x = {
                .exit = *e,
                .core = core,
                .command = command,
                .stopping = unit_state_is_stopping(u->state),
                .watchdog_stop = u->result == UNIT_RESULT_WATCHDOG,
                .kill_signal = u->config.kill_signal,
                .watchdog_signal = u->config.watchdog_signal,
                .success = &u->config.restart.success,
        };
        return unit_result_of_exit(&x);
}

/* History: the cause as the Restart= table names it; a kill vigil made for
 * a timeout, the watchdog or an OOM kill is that, not the signal it used. */
static void record_exit(struct unit *u, pid_t pid, const struct exit_info *e, bool core, enum unit_result r) {
        struct unit_exit_record *h = &u->history[u->history_total % UNIT_HISTORY];
        uint64_t now = loop_now();
        *h = (struct unit_exit_record){
                .realtime_usec = os_realtime_usec(),
                .runtime_usec = u->main_started && now > u->main_started ? now - u->main_started : 0,
                .pid = pid,
                .exit = *e,
                .core = core,
        };
        h->cause = unit_exit_record_cause(u->result, r);
        h->health = unit_probe_health(u);
        u->history_total++;
}

void unit_main_exited(struct unit *u, int status) {
        pid_t pid_was = u->main_pid;
        bool core;
        struct exit_info e = unit_exit_from_wait(status, &core);
        char name[16];

        if (u->main_status_fd >= 0) {
                if (u->config.type == SERVICE_EXEC && u->state == UNIT_START) {
                        /* Exited before we saw the exec: settle that first. */
                        struct spawn_failure failure;
                        int r = os_spawn_read_status(u->main_status_fd, &failure);
                        loop_io_del(&u->exec_io);
                        os_close(u->main_status_fd);
                        u->main_status_fd = -1;
                        if (r == 1)
                                unit_log(LOG_LEVEL_ERROR, u, "cannot %s %s: %s", spawn_stage_action(failure.stage),
                                         u->config.exec_start.v[0].path, strerror(failure.error));
                        else if (r == 0)
                                unit_feed(u, UNIT_EV_STARTED, UNIT_RESULT_KEEP);
                } else {
                        const struct exec_list *l = &u->config.exec_start;
                        size_t i = u->exec_start_next ? u->exec_start_next - 1 : 0;
                        unit_log_spawn_failure(u, u->main_status_fd, i < l->n ? l->v[i].path : "ExecStart=");
                        os_close(u->main_status_fd);
                        u->main_status_fd = -1;
                }
        }
        if (e.exited)
                unit_log(LOG_LEVEL_INFO, u, "main process %d exited with status %d", (int)u->main_pid, e.code);
        else
                unit_log(LOG_LEVEL_INFO, u, "main process %d killed by %s%s", (int)u->main_pid,
                         signame_from_number(e.sig, name, sizeof(name)), core ? " (core dumped)" : "");
        u->main_pid = 0;
        u->main_exit = e;
        u->main_exit_known = true;

        bool oneshot = u->config.type == SERVICE_ONESHOT;
        enum unit_result r = unit_cgroup_exit_result(u, result_of_exit(u, &e, core, oneshot));
        record_exit(u, pid_was, &e, core, r);
        /* "-": a failing exit is recorded (logged) and has no further effect. */
        const struct exec_list *l = &u->config.exec_start;
        size_t ran = u->exec_start_next ? u->exec_start_next - 1 : 0;
        if (r != UNIT_RESULT_SUCCESS && ran < l->n && (l->v[ran].flags & EXEC_FLAG_IGNORE_FAILURE) &&
            !unit_state_is_stopping(u->state)) {
                unit_log(LOG_LEVEL_INFO, u, "%s failed (ignored, '-' prefix)", l->v[ran].path);
                r = UNIT_RESULT_SUCCESS;
        }

        if (u->state == UNIT_START && r == UNIT_RESULT_SUCCESS) {
                if (oneshot && u->exec_start_next < u->config.exec_start.n) {
                        unit_main_spawn(u);
                        return;
                }
                if (u->config.type == SERVICE_FORKING) {
                        pid_t pid = u->config.pid_file ? read_pid_file(u) : 0;
                        if (pid > 0) {
                                u->main_pid = pid;
                                u->main_exit_known = false;
                                unit_groups_add(u, pid);
                                (void)proc_index_add_pid(pid, u, UNIT_PROC_MAIN);
                                unit_log(LOG_LEVEL_INFO, u, "main process is %d (from PIDFile=)", (int)pid);
                        } else if (!u->config.pid_file) {
                                /* No PIDFile=: the unit runs as long as its group does. */
                                unit_log(LOG_LEVEL_INFO, u, "Type=forking without PIDFile=: main process unknown");
                        }
                        if (pid > 0 || !u->config.pid_file) {
                                unit_feed(u, UNIT_EV_STARTED, UNIT_RESULT_KEEP);
                                return;
                        }
                }
        }
        unit_feed(u, UNIT_EV_MAIN_EXITED, r);
}

/* ---------------------------------------------------------------- control commands */

static void control_next(struct unit *u) {
        const struct exec_list *l = u->control_list;
        if (!l || u->control_next >= l->n) {
                u->control_list = NULL;
                u->control_cmd = NULL;
                unit_feed(u, UNIT_EV_CONTROL_OK, UNIT_RESULT_KEEP);
                return;
        }
        const struct exec_command *cmd = &l->v[u->control_next++];
        bool stop_vars = u->state == UNIT_STOP || u->state == UNIT_STOP_POST;
        pid_t pid;
        int status_fd;
        u->control_cmd = cmd;
        int r = unit_spawn(u, cmd, stop_vars, false, &pid, &status_fd);
        if (r < 0) {
                if (cmd->flags & EXEC_FLAG_IGNORE_FAILURE) {
                        control_next(u);
                        return;
                }
                u->control_list = NULL;
                unit_feed(u, UNIT_EV_CONTROL_FAILED, unit_spawn_failure_result(r));
                return;
        }
        u->control_pid = pid;
        u->control_status_fd = status_fd;
        if (proc_index_add_pid(pid, u, UNIT_PROC_CONTROL) < 0)
                unit_log(LOG_LEVEL_WARNING, u, "out of memory tracking pid %d", (int)pid);
        unit_log(LOG_LEVEL_DEBUG, u, "running %s (pid %d)", cmd->path, (int)pid);
}

void unit_control_run(struct unit *u, const struct exec_list *l) {
        u->control_list = l;
        u->control_next = 0;
        control_next(u);
}

void unit_control_exited(struct unit *u, int status) {
        const struct exec_command *cmd = u->control_cmd;
        bool core;
        struct exit_info e = unit_exit_from_wait(status, &core);
        char name[16];

        unit_log_spawn_failure(u, u->control_status_fd, cmd ? cmd->path : "command");
        os_close(u->control_status_fd);
        u->control_status_fd = -1;
        u->control_pid = 0;

        enum unit_result r = result_of_exit(u, &e, core, true);
        if (u->state == UNIT_CONDITION && r == UNIT_RESULT_EXIT_CODE && e.code < 255)
                r = UNIT_RESULT_EXEC_CONDITION;   /* systemd: the unit is skipped, not failed */
        if (r == UNIT_RESULT_SUCCESS || (cmd && (cmd->flags & EXEC_FLAG_IGNORE_FAILURE))) {
                if (r != UNIT_RESULT_SUCCESS)
                        unit_log(LOG_LEVEL_INFO, u, "%s failed (ignored, '-' prefix)", cmd->path);
                if (u->control_list)
                        control_next(u);
                return;
        }
        if (e.exited)
                unit_log(LOG_LEVEL_NOTICE, u, "%s exited with status %d", cmd ? cmd->path : "command", e.code);
        else
                unit_log(LOG_LEVEL_NOTICE, u, "%s killed by %s", cmd ? cmd->path : "command",
                         signame_from_number(e.sig, name, sizeof(name)));
        u->control_list = NULL;
        u->control_cmd = NULL;
        unit_feed(u, UNIT_EV_CONTROL_FAILED, r);
}

