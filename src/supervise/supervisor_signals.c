/* SPDX-License-Identifier: MIT */
/*
 * Signals to vigil (SPEC §2, §7): in container mode forwarded to the main
 * command (forward_decide() says which), a SIGTERM or SIGINT with no main
 * command a stop, a SIGTERM first a drain when there is one; in system mode
 * requests to end the machine, never forwarded. SIGCHLD makes one reap pass.
 */
#include "supervise/supervisor_internal.h"

#include "base/exit_status.h"
#include "base/signame.h"
#include "container/startup.h"
#include "core/log.h"
#include "notify/notify_server.h"
#include "logcap/syslog_server.h"
#include "notify/outer_notify.h"
#include "os/proc.h"
#include "os/signals.h"
#include "supervise/stop_budget.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

/* Who sent a signal that ends vigil, or that vigil forwarded to the main
 * command: for the shutdown report and the termination log. */
void supervisor_signal_reason(const struct signal_event *ev, char *why, size_t size) {
        char name[16];
        const char *sig = signame_from_number(ev->signo, name, sizeof(name));
        if (ev->code == SI_KERNEL)
                snprintf(why, size, "%s from the kernel%s", sig, ev->signo == SIGINT ? " (Ctrl-Alt-Del)" : "");
        else if (ev->sender > 0)
                snprintf(why, size, "%s from pid %d", sig, (int)ev->sender);
        else
                snprintf(why, size, "%s from outside vigil's PID namespace", sig);
}

/* sent: NULL to kill() now; else the handler's kill() result (fast
 * forwarding: the signal was sent in the wait). The bookkeeping is the same. */
static void forward_signal(const struct signal_event *ev, const int *sent) {
        char name[16];
        const char *signame = signame_from_number(ev->signo, name, sizeof(name));
        enum forward_verdict v = forward_decide(ev->signo, ev->code, ev->sender, sup.self_pid);
        if (v != FORWARD_YES) {
                log_debug("not forwarding %s: %s", signame, forward_verdict_reason(v));
                return;
        }
        pid_t target = sup.config.process_group ? -sup.main_cmd.pid : sup.main_cmd.pid;
        if (ev->signo == SIGTERM) {
                /* The orchestrator's stop began: not ready any more. */
                outer_notify_stopping("stopping");
                sup.main_cmd.termed = true;
        }
        sup.main_cmd.last_forwarded = ev->signo;
        sup.main_cmd.forwarded = *ev; /* formatted at its exit, not per signal */
        int r = sent ? *sent : os_kill(target, ev->signo);
        if (r < 0)
                log_debug("forwarding %s to %d failed: %s", signame, (int)target, strerror(-r));
        else
                log_debug("forwarded %s to %d", signame, (int)target);
}

/* System mode: signals to PID 1 are requests (SPEC §7; erlinit's and
 * busybox's convention), never forwarded. */
static void system_signal(const struct signal_event *ev) {
        enum end_action action;
        char name[16], why[96];
        switch (ev->signo) {
        case SIGTERM:
        case SIGINT:   /* Ctrl-Alt-Del, once the kernel's handling is off */
                action = END_REBOOT;
                break;
        case SIGUSR1:
        case SIGPWR:
                action = END_HALT;
                break;
        case SIGUSR2:
                action = END_POWEROFF;
                break;
        default:
                log_debug("ignoring %s: system mode forwards no signal",
                          signame_from_number(ev->signo, name, sizeof(name)));
                return;
        }
        supervisor_signal_reason(ev, why, sizeof(why));
        supervisor_system_shutdown(action, why, false);
}

static void on_signal(const struct signal_event *ev) {
        char name[16];
        if (sup.config.system_mode) {
                system_signal(ev);
                return;
        }
        if (ev->signo == SIGTERM && sup.stop.phase == STOP_NONE) {
                /* The container's stop signal: the stop (and its budget) begins,
                 * after the drain if there is one (stop_budget.h). */
                if (stop_budget_drain_takes()) {
                        outer_notify_stopping("draining"); /* not ready any more */
                        return;
                }
                stop_budget_begin();
        }
        if (sup.main_cmd.pid > 0) {
                forward_signal(ev, NULL);
                return;
        }
        if (sup.main_cmd.pid == 0 && (ev->signo == SIGTERM || ev->signo == SIGINT)) {
                log_info("received %s, stopping", signame_from_number(ev->signo, name, sizeof(name)));
                char why[96];
                supervisor_signal_reason(ev, why, sizeof(why));
                supervisor_container_reason(why);
                startup_cancel(); /* no further script; done() is not called */
                supervisor_stop_begin(0);
                return;
        }
        log_debug("ignoring %s: no main command running", signame_from_number(ev->signo, name, sizeof(name)));
}

void supervisor_signals_ready(struct loop_io *io, uint32_t events) {
        (void)events;
        struct signal_event ev[16];
        bool child_changed = false;
        int n;
        /* One read is enough unless the buffer came back full: epoll is
         * level-triggered, so anything left wakes the loop again. Signals
         * are acted on in order; SIGCHLD (coalesced by the kernel, so one
         * stands for any number of exits) makes one reap pass after them. */
        do {
                n = os_signals_read(io->fd, ev, 16);
                for (int i = 0; i < n; i++) {
                        if (ev[i].signo == SIGCHLD)
                                child_changed = true;
                        else
                                on_signal(&ev[i]);
                }
        } while (n == 16);
        if (n < 0)
                log_error("reading signals failed: %s", strerror(-n));
        if (child_changed) {
                /* What a process said before it exited is heard before its exit. */
                notify_server_drain();
                syslog_server_drain();
                supervisor_reap_children();
        }
}

/* The drain is over: the SIGTERM it held back takes effect. */
void supervisor_drained(void) {
        on_signal(&(struct signal_event){ .signo = SIGTERM, .code = SI_USER });
}

/* ------------------------------------------------------- fast forwarding */

/* Whether a SIGTERM now would go straight to the main command, as
 * on_signal() would send it: no drain to start or to end. */
static bool sigterm_is_plain(void) {
        return sup.stop.phase != STOP_NONE || !stop_budget_drain_would_act();
}

/* Before each wait: the handler takes the signals on_signal() would only
 * forward, while a main command runs in container mode. */
const uint64_t *supervisor_signals_before_wait(void) {
        if (sup.config.system_mode || sup.main_cmd.pid <= 0)
                return os_fwd_arm(0, 0, 0);
        uint64_t want = ~(uint64_t)0;
        if (!sigterm_is_plain())
                want &= ~((uint64_t)1 << (SIGTERM - 1));
        pid_t target = sup.config.process_group ? -sup.main_cmd.pid : sup.main_cmd.pid;
        return os_fwd_arm(target, sup.self_pid, want);
}

/* After the wait: today's bookkeeping for what the handler sent, in order
 * (the state is the one the handler saw: nothing ran in between); after a
 * wait that returned events, what of the armed set is pending, forwarded as
 * from the signalfd. */
void supervisor_signals_after_wait(bool events) {
        struct os_fwd_record rec[OS_FWD_RING];
        unsigned lost;
        int n = os_fwd_drain(rec, &lost);
        for (int i = 0; i < n; i++) {
                if (rec[i].ev.signo == SIGTERM && sup.stop.phase == STOP_NONE)
                        stop_budget_begin(); /* as on_signal(): the stop's budget begins */
                forward_signal(&rec[i].ev, &rec[i].result);
        }
        if (events) {
                struct signal_event ev[16];
                int k = os_fwd_take_pending(ev, 16);
                for (int i = 0; i < k; i++)
                        on_signal(&ev[i]);
                if (k < 0)
                        log_error("taking pending signals failed: %s", strerror(-k));
        }
        if (lost)
                log_notice("%u forwarded signal%s not recorded (the record ring was full): "
                           "forwarded, but missing from the log and the shutdown report",
                           lost, lost == 1 ? " was" : "s were");
}

