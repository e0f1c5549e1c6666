/* SPDX-License-Identifier: MIT */
#include "watchdog/hw_watchdog.h"

#include "base/timespan.h"
#include "core/log.h"
#include "core/loop.h"
#include "os/fd.h"
#include "os/watchdog.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define DEFAULT_DEVICE "/dev/watchdog0"
#define LEGACY_DEVICE "/dev/watchdog"

static struct {
        enum hw_watchdog_state state;
        int fd;
        char device[200];
        struct os_watchdog_info info;
        unsigned timeout_sec;          /* granted */
        unsigned reboot_sec;
        bool nowayout;
        bool boot_status_known;
        uint32_t boot_status;
        char why[512];
        uint64_t last_pet;             /* 0: never */
        uint64_t pets, pet_errors;
        uint64_t snooze_until;         /* 0: none */
        struct loop_timer timer;
        /* An action held by a snooze (the caller's; the device knows no units). */
        bool postponed;
        void (*release)(void);
        char postponed_why[256];
} wd = { .fd = -1, .timer = { .heap_index = TIMER_NOT_ARMED } };

static const char *const state_names[] = {
        [HW_WATCHDOG_OFF] = "off",           [HW_WATCHDOG_UNAVAILABLE] = "unavailable",
        [HW_WATCHDOG_HEALTHY] = "healthy",   [HW_WATCHDOG_UNHEALTHY] = "unhealthy",
        [HW_WATCHDOG_SHUTDOWN] = "shutdown", [HW_WATCHDOG_DISARMED] = "disarmed",
        [HW_WATCHDOG_HANGING] = "hanging",
};

const char *hw_watchdog_state_to_string(enum hw_watchdog_state s) {
        return (unsigned)s < sizeof(state_names) / sizeof(state_names[0]) ? state_names[s] : "?";
}

/* ---------------------------------------------------------------- pure parts */

enum hw_watchdog_verdict hw_watchdog_decide(const struct hw_watchdog_gate *g, uint64_t now, const char **ret_reason) {
        const char *why;
        enum hw_watchdog_verdict v;
        if (g->hanging) {
                v = HW_WATCHDOG_PET, why = "hanging with a nowayout device";
        } else if (g->snooze_until && now < g->snooze_until && !g->shutting_down) {
                v = HW_WATCHDOG_PET, why = "snoozing";
        } else if (g->shutting_down) {
                v = HW_WATCHDOG_WITHHOLD, why = "shutting down: the armed timeout bounds the way down";
        } else if (!g->healthy) {
                v = HW_WATCHDOG_WITHHOLD, why = "unhealthy";
        } else {
                v = HW_WATCHDOG_PET, why = "healthy";
        }
        if (ret_reason)
                *ret_reason = why;
        return v;
}

uint64_t hw_watchdog_pet_interval(unsigned timeout_sec) {
        uint64_t t = (uint64_t)timeout_sec * USEC_PER_SEC / 2;
        return t ? t : USEC_PER_SEC / 2;
}

/* ---------------------------------------------------------------- petting */

static bool is_open(void) {
        return wd.fd >= 0;
}

static void pet(uint64_t now) {
        int r = os_watchdog_keepalive(wd.fd);
        if (r < 0) {
                wd.pet_errors++;
                /* Logged on the 1st, 2nd, 4th, 8th... failure: a broken
                 * device must not flood the log every few seconds. */
                if ((wd.pet_errors & (wd.pet_errors - 1)) == 0)
                        log_warning("hardware watchdog %s: WDIOC_KEEPALIVE failed: %s (%llu so far)", wd.device,
                                    strerror(-r), (unsigned long long)wd.pet_errors);
                return;
        }
        wd.pets++;
        wd.last_pet = now;
        log_debug("hardware watchdog %s: pet", wd.device);
}

static struct hw_watchdog_gate gate(void) {
        return (struct hw_watchdog_gate){
                .healthy = wd.state == HW_WATCHDOG_HEALTHY,
                .shutting_down = wd.state == HW_WATCHDOG_SHUTDOWN,
                .hanging = wd.state == HW_WATCHDOG_HANGING,
                .snooze_until = wd.snooze_until,
        };
}

static void run_postponed(void);

/* The one timer: pet if the gate allows, then sleep half a timeout (or
 * until the snooze ends, to withhold from then on). */
static void timer_fired(struct loop_timer *t) {
        (void)t;
        uint64_t now = loop_now();
        const char *why;
        if (wd.snooze_until && now >= wd.snooze_until) {
                wd.snooze_until = 0;
                log_notice("hardware watchdog %s: snooze over%s", wd.device,
                           wd.state == HW_WATCHDOG_UNHEALTHY ? ", unhealthy: no more pets" : "");
                run_postponed();
        }
        if (!is_open())
                return;
        struct hw_watchdog_gate g = gate();
        if (hw_watchdog_decide(&g, now, &why) != HW_WATCHDOG_PET) {
                log_debug("hardware watchdog %s: not petting: %s", wd.device, why);
                return;
        }
        pet(now);
        uint64_t next = now + hw_watchdog_pet_interval(wd.timeout_sec);
        if (wd.snooze_until && wd.state != HW_WATCHDOG_HEALTHY && wd.snooze_until < next)
                next = wd.snooze_until;
        if (loop_timer_arm(&wd.timer, next) < 0)
                log_error("hardware watchdog %s: cannot arm the pet timer (out of memory): the board will "
                          "be reset in %u s", wd.device, wd.timeout_sec);
}

/* ---------------------------------------------------------------- opening */

static void unavailable(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void unavailable(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        wd.state = HW_WATCHDOG_UNAVAILABLE;
        vsnprintf(wd.why, sizeof(wd.why), fmt, ap);
        va_end(ap);
}

/* --watchdog-device, else /dev/watchdog0, else /dev/watchdog. */
static int open_device(const char *device) {
        if (device) {
                snprintf(wd.device, sizeof(wd.device), "%s", device);
                return os_watchdog_open(device);
        }
        snprintf(wd.device, sizeof(wd.device), "%s", DEFAULT_DEVICE);
        int fd = os_watchdog_open(DEFAULT_DEVICE);
        if (fd != -ENOENT)
                return fd;
        snprintf(wd.device, sizeof(wd.device), "%s", LEGACY_DEVICE);
        return os_watchdog_open(LEGACY_DEVICE);
}

static void read_boot_status(void) {
        int r = os_watchdog_get_boot_status(wd.fd, &wd.boot_status);
        if (r < 0) {
                log_info("hardware watchdog %s: cannot read the boot status: %s", wd.device, strerror(-r));
                return;
        }
        wd.boot_status_known = true;
        if (wd.boot_status & OS_WATCHDOG_CARDRESET)
                log_notice("hardware watchdog %s: the last boot was caused by a watchdog reset (boot status 0x%x)",
                           wd.device, (unsigned)wd.boot_status);
        else
                log_info("hardware watchdog %s: the last boot was not a watchdog reset (boot status 0x%x)",
                         wd.device, (unsigned)wd.boot_status);
}

/* nowayout from sysfs; without it, a driver that cannot be disarmed by the
 * magic close is taken as nowayout (closing it would stop it, as the
 * kernel stops a non-MAGICCLOSE driver on close: the safe guess is to
 * never rely on closing). */
static void read_nowayout(void) {
        int r = os_watchdog_nowayout(wd.device, wd.fd);
        if (r >= 0) {
                wd.nowayout = r == 1;
                return;
        }
        wd.nowayout = !(wd.info.options & OS_WATCHDOG_MAGICCLOSE);
        log_debug("hardware watchdog %s: nowayout not in sysfs (%s); taken as %s", wd.device, strerror(-r),
                  wd.nowayout ? "nowayout (no magic close)" : "not nowayout");
}

static unsigned usec_to_sec(uint64_t usec) {
        uint64_t s = usec / USEC_PER_SEC;
        if (s == 0)
                s = 1;
        return s > 65535 ? 65535 : (unsigned)s;
}

/* The runtime timeout: set it, or live with the driver's. -1 when the
 * device is given up (disarmed and closed). */
static int set_runtime_timeout(uint64_t runtime_usec) {
        unsigned want = usec_to_sec(runtime_usec);
        int r;
        if (wd.info.options & OS_WATCHDOG_SETTIMEOUT) {
                r = os_watchdog_set_timeout(wd.fd, want, &wd.timeout_sec);
                if (r == 0) {
                        if (wd.timeout_sec != want)
                                log_notice("hardware watchdog %s: asked for a %u s timeout, the driver granted %u s",
                                           wd.device, want, wd.timeout_sec);
                        return 0;
                }
        } else {
                r = -EOPNOTSUPP;
        }
        /* Refused. A device that can be stopped is given up; a nowayout one
         * cannot be, so vigil keeps it at the driver's own timeout. */
        unsigned current = 0;
        int q = os_watchdog_get_timeout(wd.fd, &current);
        if (wd.nowayout) {
                /* It cannot be stopped: closing changes nothing, so vigil
                 * keeps it, at the driver's timeout (or, unreadable, pets
                 * it every second as a last resort). */
                wd.timeout_sec = q == 0 ? current : 2;
                log_warning("hardware watchdog %s: refused a %u s timeout (%s); it is nowayout, so vigil keeps "
                            "it at %s %u s", wd.device, want, strerror(-r), q == 0 ? "the driver's" : "a guessed",
                            wd.timeout_sec);
                return 0;
        }
        log_warning("hardware watchdog %s: refused a %u s timeout (%s); disarmed it, running without a "
                    "hardware watchdog", wd.device, want, strerror(-r));
        snprintf(wd.why, sizeof(wd.why), "refused a %u s timeout: %s", want, strerror(-r));
        (void)os_watchdog_magic_close(wd.fd);
        wd.fd = -1;
        wd.state = HW_WATCHDOG_UNAVAILABLE;
        return -1;
}

int hw_watchdog_open(const struct hw_watchdog_config *c) {
        loop_timer_init(&wd.timer, timer_fired, NULL);
        wd.reboot_sec = c->reboot_usec ? usec_to_sec(c->reboot_usec) : 0;
        if (c->runtime_usec == 0) {
                wd.state = HW_WATCHDOG_OFF;
                if (c->device)
                        log_info("hardware watchdog %s not used: --runtime-watchdog-sec is 0", c->device);
                return 0;
        }
        int fd = open_device(c->device);
        if (fd < 0) {
                /* Off by default in container mode; in system mode a machine
                 * without a watchdog is common: only a named device warns. */
                if (fd == -EBUSY)
                        unavailable("%s is busy (another process has it open)", wd.device);
                else if (fd == -ENOENT && !c->device)
                        unavailable("no %s or %s", DEFAULT_DEVICE, LEGACY_DEVICE);
                else
                        unavailable("cannot open %s: %s", wd.device, strerror(-fd));
                log_msg(c->device || fd == -EBUSY ? LOG_LEVEL_WARNING : LOG_LEVEL_NOTICE,
                        "hardware watchdog: %s; running without it", wd.why);
                return 0;
        }
        wd.fd = fd;
        int r = os_watchdog_get_support(fd, &wd.info);
        if (r < 0) {
                /* Not a watchdog (or a broken one): nothing to disarm. */
                log_warning("hardware watchdog: %s is not a watchdog device (WDIOC_GETSUPPORT: %s); running "
                            "without it", wd.device, strerror(-r));
                unavailable("%s is not a watchdog device (WDIOC_GETSUPPORT: %s)", wd.device, strerror(-r));
                os_close(fd);
                wd.fd = -1;
                return 0;
        }
        read_boot_status();
        read_nowayout();
        if (set_runtime_timeout(c->runtime_usec) < 0)
                return 0;
        wd.state = HW_WATCHDOG_HEALTHY;
        wd.why[0] = '\0';
        char span[32];
        log_notice("hardware watchdog %s (%s): timeout %u s, petting every %s while healthy%s", wd.device,
                   wd.info.identity[0] ? wd.info.identity : "no identity", wd.timeout_sec,
                   timespan_format(hw_watchdog_pet_interval(wd.timeout_sec), span, sizeof(span)),
                   wd.nowayout ? " (nowayout: it cannot be stopped)" : "");
        uint64_t now = loop_now();
        pet(now);
        r = loop_timer_arm(&wd.timer, now + hw_watchdog_pet_interval(wd.timeout_sec));
        if (r < 0)
                log_error("hardware watchdog %s: cannot arm the pet timer: %s", wd.device, strerror(-r));
        return r;
}

/* ---------------------------------------------------------------- health */

void hw_watchdog_unhealthy(const char *why) {
        if (wd.state != HW_WATCHDOG_HEALTHY)
                return;
        wd.state = HW_WATCHDOG_UNHEALTHY;
        snprintf(wd.why, sizeof(wd.why), "%s", why);
        if (wd.snooze_until) {
                log_notice("hardware watchdog %s: unhealthy (%s); snoozing: petting until the snooze ends",
                           wd.device, why);
                return;
        }
        loop_timer_cancel(&wd.timer);
        log_notice("hardware watchdog %s: unhealthy (%s): no more pets, the board resets within %u s unless "
                   "vigil reboots it first", wd.device, why, wd.timeout_sec);
}

bool hw_watchdog_hold(const char *why, void (*release)(void)) {
        if (!is_open() || !wd.snooze_until || wd.state == HW_WATCHDOG_SHUTDOWN || wd.postponed)
                return false;
        wd.postponed = true;
        wd.release = release;
        snprintf(wd.postponed_why, sizeof(wd.postponed_why), "%s", why);
        char span[32];
        uint64_t left = wd.snooze_until > loop_now() ? wd.snooze_until - loop_now() : 0;
        log_notice("hardware watchdog %s: snoozing: %s postponed until the snooze ends (in %s)", wd.device, why,
                   timespan_format((left + USEC_PER_SEC / 2) / USEC_PER_SEC * USEC_PER_SEC, span, sizeof(span)));
        return true;
}

bool hw_watchdog_holding(void) {
        return wd.postponed;
}

static void run_postponed(void) {
        if (!wd.postponed)
                return;
        wd.postponed = false;
        log_notice("hardware watchdog %s: snooze over: running the postponed %s", wd.device, wd.postponed_why);
        if (wd.release)
                wd.release();
}

/* ---------------------------------------------------------------- the way down */

void hw_watchdog_shutdown(bool health_failure) {
        if (!is_open() || wd.state == HW_WATCHDOG_SHUTDOWN || wd.state == HW_WATCHDOG_DISARMED ||
            wd.state == HW_WATCHDOG_HANGING)
                return;
        bool healthy = wd.state == HW_WATCHDOG_HEALTHY && !health_failure;
        if (wd.snooze_until)
                log_notice("hardware watchdog %s: shutting down: the snooze ends", wd.device);
        wd.snooze_until = 0;
        wd.postponed = false;
        loop_timer_cancel(&wd.timer);
        if (!healthy) {
                if (wd.state == HW_WATCHDOG_HEALTHY)
                        snprintf(wd.why, sizeof(wd.why), "health failure");
                wd.state = HW_WATCHDOG_SHUTDOWN;
                log_notice("hardware watchdog %s: shutdown after a health failure: keeping the %u s runtime "
                           "timeout, no more pets", wd.device, wd.timeout_sec);
                return;
        }
        wd.state = HW_WATCHDOG_SHUTDOWN;
        unsigned want = wd.reboot_sec;
        if (want && want != wd.timeout_sec) {
                unsigned granted = 0;
                int r = (wd.info.options & OS_WATCHDOG_SETTIMEOUT) ? os_watchdog_set_timeout(wd.fd, want, &granted)
                                                                   : -EOPNOTSUPP;
                if (r < 0)
                        log_warning("hardware watchdog %s: cannot set the %u s reboot timeout (%s); keeping %u s",
                                    wd.device, want, strerror(-r), wd.timeout_sec);
                else
                        wd.timeout_sec = granted;
        }
        pet(loop_now());
        log_notice("hardware watchdog %s: armed with %u s for the shutdown, no more pets", wd.device,
                   wd.timeout_sec);
}

void hw_watchdog_final(int how) {
        if (!is_open())
                return;
        loop_timer_cancel(&wd.timer);
        wd.snooze_until = 0;
        wd.postponed = false;
        if (wd.state == HW_WATCHDOG_HANGING)
                wd.state = HW_WATCHDOG_SHUTDOWN;   /* a request ended the hang */
        switch (how) {
        case HW_WATCHDOG_FINAL_REBOOT:
        case HW_WATCHDOG_FINAL_POWEROFF:
                log_info("hardware watchdog %s stays armed (%u s) through reboot(2)", wd.device, wd.timeout_sec);
                return;
        default:
                break;
        }
        if (!wd.nowayout) {
                int r = os_watchdog_magic_close(wd.fd);
                wd.fd = -1;
                wd.state = HW_WATCHDOG_DISARMED;
                if (r < 0)
                        log_warning("hardware watchdog %s: the magic close failed (%s): it may still reset the "
                                    "board", wd.device, strerror(-r));
                else
                        log_notice("hardware watchdog %s disarmed (magic close)", wd.device);
                return;
        }
        if (how == HW_WATCHDOG_FINAL_HANG) {
                /* The hang runs the loop (it waits for a request): pet from
                 * the timer, whatever the health, until a request ends it. */
                char span[32];
                wd.state = HW_WATCHDOG_HANGING;
                log_notice("hardware watchdog %s is nowayout: it cannot be disarmed, vigil pets it every %s "
                           "while it hangs", wd.device,
                           timespan_format(hw_watchdog_pet_interval(wd.timeout_sec), span, sizeof(span)));
                timer_fired(&wd.timer);
                return;
        }
        log_notice("hardware watchdog %s is nowayout: it cannot be disarmed and stays armed (%u s)%s", wd.device,
                   wd.timeout_sec, how == HW_WATCHDOG_FINAL_HALT ? ": the halted board will be reset" :
                                   ": the board resets unless something opens and pets it");
}

int hw_watchdog_snooze(uint64_t usec, uint64_t *ret_granted_usec) {
        *ret_granted_usec = 0;
        if (!is_open())
                return -ENODEV;
        if (wd.state == HW_WATCHDOG_SHUTDOWN || wd.state == HW_WATCHDOG_DISARMED || wd.state == HW_WATCHDOG_HANGING)
                return -ESHUTDOWN;
        uint64_t now = loop_now();
        if (usec == 0) {
                if (wd.snooze_until) {
                        wd.snooze_until = 0;
                        log_notice("hardware watchdog %s: snooze ended by request%s", wd.device,
                                   wd.state == HW_WATCHDOG_UNHEALTHY ? ", unhealthy: no more pets" : "");
                        if (wd.state == HW_WATCHDOG_UNHEALTHY)
                                loop_timer_cancel(&wd.timer);
                        run_postponed();
                }
                return 0;
        }
        uint64_t granted = usec > HW_WATCHDOG_SNOOZE_MAX_USEC ? HW_WATCHDOG_SNOOZE_MAX_USEC : usec;
        wd.snooze_until = now + granted;
        *ret_granted_usec = granted;
        char span[32], cap[32];
        log_notice("hardware watchdog %s: snoozed for %s%s%s: petting whatever the health", wd.device,
                   timespan_format(granted, span, sizeof(span)), granted < usec ? ", the cap, " : "",
                   granted < usec ? timespan_format(HW_WATCHDOG_SNOOZE_MAX_USEC, cap, sizeof(cap)) : "");
        pet(now);
        uint64_t next = now + hw_watchdog_pet_interval(wd.timeout_sec);
        if (wd.state != HW_WATCHDOG_HEALTHY && wd.snooze_until < next)
                next = wd.snooze_until;
        int r = loop_timer_arm(&wd.timer, next);
        if (r < 0)
                log_error("hardware watchdog %s: cannot arm the pet timer: %s", wd.device, strerror(-r));
        return r;
}

/* ---------------------------------------------------------------- status */

void hw_watchdog_get_status(uint64_t now, struct hw_watchdog_status *ret) {
        memset(ret, 0, sizeof(*ret));
        ret->state = wd.state;
        ret->device = wd.state == HW_WATCHDOG_OFF ? NULL : wd.device;
        ret->identity = wd.info.identity;
        ret->why = wd.why;
        ret->options = wd.info.options;
        ret->firmware_version = wd.info.firmware_version;
        ret->timeout_sec = is_open() ? wd.timeout_sec : 0;
        ret->nowayout = wd.nowayout;
        ret->boot_status_known = wd.boot_status_known;
        ret->boot_status = wd.boot_status;
        ret->last_boot_watchdog = wd.boot_status_known && (wd.boot_status & OS_WATCHDOG_CARDRESET);
        ret->since_last_pet_usec = wd.last_pet && now >= wd.last_pet ? now - wd.last_pet : UINT64_MAX;
        if (is_open() && wd.last_pet) {
                uint64_t deadline = wd.last_pet + (uint64_t)wd.timeout_sec * USEC_PER_SEC;
                ret->time_left_usec = deadline > now ? deadline - now : 0;
        }
        ret->snooze_left_usec = wd.snooze_until > now ? wd.snooze_until - now : 0;
        ret->pets = wd.pets;
        ret->pet_errors = wd.pet_errors;
}

void hw_watchdog_free(void) {
        loop_timer_cancel(&wd.timer);
        os_close(wd.fd);
        wd.fd = -1;
}
