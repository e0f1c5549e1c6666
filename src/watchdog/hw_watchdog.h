/* SPDX-License-Identifier: MIT */
/*
 * The hardware watchdog and its gate (SPEC §7, §8; the nerves_heart
 * "double watchdog"): vigil pets the device from one loop timer, every
 * half of the timeout the driver granted, only while the system is
 * healthy. No polling: the timer is the only thing that wakes vigil for it.
 *
 *   OFF          no device, or --runtime-watchdog-sec=0: every call is a no-op
 *   RUNNING      healthy: pet every timeout/2 (the loop runs, or nobody pets)
 *   UNHEALTHY    a unit whose FailureAction=/StartLimitAction= reboots or
 *                powers off missed its watchdog or hit its start limit:
 *                never pet again (a snooze still pets until it ends); the
 *                runtime timeout now bounds the way down
 *   SHUTDOWN     a requested shutdown: timeout := --reboot-watchdog-sec,
 *                one pet, then no more; the whole shutdown fits that budget
 *   FINAL        just before reboot(2) / exit / hang: left armed, or disarmed
 *                by the magic close, or (nowayout + hang) HANGING: petted
 *                from the loop, which the hang keeps running, until a
 *                request ends the hang (then hw_watchdog_final() again)
 *
 * Invariant: once unhealthy, vigil never pets outside a snooze, and a
 * snooze is bounded (HW_WATCHDOG_SNOOZE_MAX). A health failure during a
 * snooze is postponed (hw_watchdog_postpone) and its action runs when the
 * snooze ends, so a snooze keeps a hung application's board up for its
 * bound and no longer. Rejected: petting from a separate thread (it would
 * pet while the loop is stuck, which is what the watchdog must catch).
 */
#ifndef VIGIL_WATCHDOG_HW_WATCHDOG_H
#define VIGIL_WATCHDOG_HW_WATCHDOG_H

#include <stdbool.h>
#include <stdint.h>

/* The longest `vigilctl watchdog snooze SEC` grants (a firmware update,
 * a remote debugging session); a longer request is cut to it. */
#define HW_WATCHDOG_SNOOZE_MAX_USEC (3600 * UINT64_C(1000000))

struct hw_watchdog_config {
        const char *device;        /* --watchdog-device; NULL: /dev/watchdog0, else /dev/watchdog */
        uint64_t runtime_usec;     /* --runtime-watchdog-sec; 0 = off */
        uint64_t reboot_usec;      /* --reboot-watchdog-sec; 0 = keep the runtime timeout */
        bool system_mode;
};

/* Open, read identity and boot status, set the runtime timeout, pet, arm
 * the timer. A missing or busy device or a refused timeout is logged in
 * one line and vigil runs on without it: returns 0 then too (-errno only
 * for what the caller could act on: -ENOMEM arming the timer). Call after
 * loop_init(). */
int hw_watchdog_open(const struct hw_watchdog_config *c);

/* Stop petting for good; why is logged and shown by `vigilctl watchdog`.
 * The health policy (supervise/health.c) calls it right before a health
 * failure's action starts. */
void hw_watchdog_unhealthy(const char *why);

/* During a snooze, hold the caller's action (described by why) until the
 * snooze ends, then call release(): true when held (the caller then does
 * nothing more), false when there is no snooze or an action is already
 * held. A shutdown drops what is held. */
bool hw_watchdog_hold(const char *why, void (*release)(void));
/* Is an action held (until the snooze ends or a shutdown drops it)? */
bool hw_watchdog_holding(void);

/* A shutdown begins. Requested (health_failure false, and vigil healthy):
 * timeout := reboot timeout, pet once, pet no more. After a health failure:
 * keep the runtime timeout, no pet. Idempotent. */
void hw_watchdog_shutdown(bool health_failure);

enum hw_watchdog_final {
        HW_WATCHDOG_FINAL_EXIT,      /* container mode: vigil exits */
        HW_WATCHDOG_FINAL_REBOOT,
        HW_WATCHDOG_FINAL_POWEROFF,
        HW_WATCHDOG_FINAL_HALT,
        HW_WATCHDOG_FINAL_HANG,      /* --on-exit hang */
};

/* Just before reboot(2), exit or the hang (how: enum hw_watchdog_final).
 * Exit, halt, hang: a device that can stop is disarmed (magic close).
 * nowayout: it stays armed (logged); for hang the loop timer pets it on
 * (the hang runs the loop) until the next call. Reboot, power-off: left
 * armed and unpetted, so a hung reboot(2) still ends in a reset. May be
 * called again (a request ends a hang). */
void hw_watchdog_final(int how);

/* Pet unconditionally (healthy or not) for min(usec, the cap); 0 ends a
 * snooze. -ENODEV without a device, -ESHUTDOWN once shutting down. */
int hw_watchdog_snooze(uint64_t usec, uint64_t *ret_granted_usec);

enum hw_watchdog_state {
        HW_WATCHDOG_OFF,          /* not configured */
        HW_WATCHDOG_UNAVAILABLE,  /* configured, but no usable device */
        HW_WATCHDOG_HEALTHY,
        HW_WATCHDOG_UNHEALTHY,
        HW_WATCHDOG_SHUTDOWN,
        HW_WATCHDOG_DISARMED,     /* magic close done */
        HW_WATCHDOG_HANGING,      /* --on-exit hang with a nowayout device: petted */
};
const char *hw_watchdog_state_to_string(enum hw_watchdog_state s);

struct hw_watchdog_status {
        enum hw_watchdog_state state;
        const char *device;        /* NULL when off */
        const char *identity;      /* "" when unknown */
        const char *why;           /* unhealthy: the reason; unavailable: what failed; else "" */
        uint32_t options;          /* OS_WATCHDOG_* of the driver */
        uint32_t firmware_version;
        unsigned timeout_sec;      /* granted; 0 when none */
        bool nowayout;
        bool boot_status_known;
        uint32_t boot_status;
        bool last_boot_watchdog;   /* WDIOF_CARDRESET at open */
        uint64_t since_last_pet_usec;  /* UINT64_MAX: never petted */
        uint64_t time_left_usec;       /* until the hardware fires, from the last pet */
        uint64_t snooze_left_usec;
        uint64_t pets;
        uint64_t pet_errors;
};
void hw_watchdog_get_status(uint64_t now, struct hw_watchdog_status *ret);

/* The gate (pure, STYLE §1): pet now or withhold, and why. */
enum hw_watchdog_verdict { HW_WATCHDOG_PET, HW_WATCHDOG_WITHHOLD };
struct hw_watchdog_gate {
        bool healthy;
        bool shutting_down;
        bool hanging;              /* a hang with a nowayout device: pet on */
        uint64_t snooze_until;     /* 0: no snooze */
};
enum hw_watchdog_verdict hw_watchdog_decide(const struct hw_watchdog_gate *g, uint64_t now, const char **ret_reason);

/* The time between pets for a granted timeout: half of it (SPEC §8). */
uint64_t hw_watchdog_pet_interval(unsigned timeout_sec);

/* Close the device without disarming it (tests, a failed start). */
void hw_watchdog_free(void);

#endif
