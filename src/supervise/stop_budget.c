/* SPDX-License-Identifier: MIT */
#include "supervise/stop_budget.h"

#include "base/timespan.h"
#include "core/log.h"
#include "core/loop.h"
#include "supervise/manager.h"
#include "system/shutdown_report.h"

#include <stdio.h>
#include <string.h>

static struct {
        struct stop_budget_config config;
        uint64_t deadline;             /* loop_now() time the whole stop ends by; 0: not running */
        struct loop_timer timer, drain_timer;
        bool leaving;                  /* a drain began, or the stop did */
        bool drain_pending;            /* the drain's wait is running */
} budget;

static void budget_fired(struct loop_timer *t) {
        (void)t;
        budget.drain_pending = false;
        loop_timer_cancel(&budget.drain_timer);
        if (budget.config.expired)
                budget.config.expired();
}

static void drain_fired(struct loop_timer *t) {
        (void)t;
        budget.drain_pending = false;
        log_notice("drain over, stopping");
        shutdown_report_event("drain over");
        if (budget.config.drained)
                budget.config.drained();
}

void stop_budget_init(const struct stop_budget_config *config) {
        budget.config = *config;
        loop_timer_init(&budget.timer, budget_fired, NULL);
        loop_timer_init(&budget.drain_timer, drain_fired, NULL);
}

static bool configured(void) {
        return budget.config.budget_usec != 0 && budget.config.budget_usec != TIMESPAN_INFINITY;
}

void stop_budget_begin(void) {
        budget.leaving = true;
        if (budget.drain_pending) {
                /* The stop came another way (the main command exited): the drain is over. */
                budget.drain_pending = false;
                loop_timer_cancel(&budget.drain_timer);
        }
        if (!configured() || budget.deadline != 0)
                return;
        char span[32];
        budget.deadline = loop_now() + budget.config.budget_usec;
        log_info("stopping within %s (--stop-timeout)", timespan_format(budget.config.budget_usec, span, sizeof(span)));
        if (loop_timer_arm(&budget.timer, budget.deadline) < 0)
                log_error("cannot arm the stop budget's timer: out of memory; the stop's own timeouts still apply");
        manager_set_stop_deadline(budget.deadline, budget.config.budget_usec);
}

uint64_t stop_budget_cap(uint64_t usec, const char *what) {
        if (budget.deadline == 0)
                return usec;
        uint64_t now = loop_now(), left = budget.deadline > now ? budget.deadline - now : 0;
        if (usec <= left)
                return usec;
        char own[32], rest[32], whole[32];
        log_notice("%s cut from %s to %s: what is left of the %s stop budget", what,
                   timespan_format(usec, own, sizeof(own)), timespan_format(left, rest, sizeof(rest)),
                   timespan_format(budget.config.budget_usec, whole, sizeof(whole)));
        return left;
}

void stop_budget_end(void) {
        loop_timer_cancel(&budget.timer);
        loop_timer_cancel(&budget.drain_timer);
        budget.drain_pending = false;
}

bool stop_budget_drain_would_act(void) {
        return budget.config.drain_usec != 0 && (budget.drain_pending || !budget.leaving);
}

bool stop_budget_drain_takes(void) {
        if (budget.config.drain_usec == 0)
                return false;
        if (budget.drain_pending) {
                log_notice("received SIGTERM again: ending the drain, stopping now");
                loop_timer_cancel(&budget.drain_timer);
                budget.drain_pending = false;
                return false;
        }
        if (budget.leaving)
                return false; /* drained already (or stopping): the stop goes on as without a drain */
        stop_budget_begin();
        char span[32];
        log_notice("received SIGTERM: draining for %s (not ready), then stopping; a second SIGTERM stops now",
                   timespan_format(budget.config.drain_usec, span, sizeof(span)));
        shutdown_report_event("draining");
        budget.drain_pending = true;
        if (budget.config.drain_usec != TIMESPAN_INFINITY &&
            loop_timer_arm_in(&budget.drain_timer, budget.config.drain_usec) < 0) {
                log_error("cannot arm the drain timer: out of memory, stopping now");
                budget.drain_pending = false;
                return false;
        }
        return true;
}

bool stop_budget_leaving(void) {
        return budget.leaving;
}

/* "; units left: a.service, b.service" for the units not stopped yet. */
static void units_left(char *buf, size_t size) {
        size_t used = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < manager_n_units() && used < size; i++) {
                struct unit *u = manager_unit_at(i);
                if (unit_state_is_inactive(unit_get_state(u)))
                        continue;
                int w = snprintf(buf + used, size - used, "%s%s", used ? ", " : "; units left: ", unit_name(u));
                used += w > 0 ? (size_t)w : 0;
        }
        if (used >= size && size > 4)
                memcpy(buf + size - 4, "...", 4);
}

void stop_budget_log_expiry(bool main_running) {
        char span[32], left[256];
        units_left(left, sizeof(left));
        log_warning("the %s stop budget (--stop-timeout) is used up, sending SIGKILL to everything left%s%s",
                    timespan_format(budget.config.budget_usec, span, sizeof(span)),
                    main_running ? "; the main command is still running" : "", left);
        shutdown_report_event("stop budget used up, SIGKILL sent to all processes");
}
