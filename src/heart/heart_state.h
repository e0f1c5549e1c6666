/* SPDX-License-Identifier: MIT */
/*
 * vigil-heart's timers and commands at nerves_heart's parity (issue 16
 * item 4; nerves_heart's README, "Heart set_cmd summary"), pure: the
 * clock is the caller's (milliseconds, CLOCK_MONOTONIC), effects are the
 * caller's too (cmd/vigil_heart.c).
 *
 * nerves_heart pets a hardware watchdog; vigil-heart's "watchdog" is the
 * unit's watchdog in vigil: a pet is one WATCHDOG=1 datagram, and vigil's
 * deadline for the unit (WATCHDOG_USEC= = HEART_BEAT_TIMEOUT) is what fires
 * when the pets stop. vigil itself pets the hardware watchdog while its
 * units are healthy. The rules, as nerves_heart's:
 *   - the heartbeat deadline is last_beat + timeout; last_beat may lie in
 *     the future (the initial grace time, a snooze) and a beat never pulls
 *     it back;
 *   - pets go out on every beat and, while nothing is overdue, at the pet
 *     interval (timeout - 10 s above 20 s, else timeout / 2), so vigil's
 *     deadline only fires if heart itself stops (or stops petting:
 *     disable_hw, the guarded commands);
 *   - HEART_INIT_TIMEOUT > 0 (raised to HEART_INIT_GRACE_TIME if smaller)
 *     requires "init_handshake" in time; snooze counts as one, for good;
 *   - snooze: pet now, the heartbeat deadline 15 min + timeout from now.
 * A missed deadline is the caller's "timeout": WATCHDOG=trigger to vigil.
 */
#ifndef VIGIL_HEART_HEART_STATE_H
#define VIGIL_HEART_HEART_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HEART_SNOOZE_MS (15u * 60 * 1000)  /* nerves_heart: 15 minutes per snooze */
#define HEART_GRACE_MAX_S 600              /* HEART_INIT_GRACE_TIME is clamped to 0..600 */
/* The interface level of nerves_heart this implements, as its status
 * report's program_version (Nerves.Runtime.Heart checks "~> 2.3" before
 * the immediate commands, "~> 2.0" before the others). */
#define HEART_NERVES_VERSION "2.5.0"

/* The set_cmd strings nerves_heart acts on (exact bytes, no NUL). */
enum heart_cmd {
        HEART_CMD_OTHER,              /* anything else: acknowledged and ignored */
        HEART_CMD_DISABLE_HW,         /* "disable", "disable_hw": stop petting */
        HEART_CMD_DISABLE_VM,         /* as if the heartbeat timed out */
        HEART_CMD_INIT_HANDSHAKE,
        HEART_CMD_SNOOZE,
        HEART_CMD_GUARDED_REBOOT,     /* pet once, stop petting, ask for the shutdown */
        HEART_CMD_GUARDED_POWEROFF,
        HEART_CMD_GUARDED_HALT,
        HEART_CMD_IMMEDIATE_REBOOT,   /* stop petting, ask for the shutdown (no last pet) */
        HEART_CMD_IMMEDIATE_POWEROFF,
};

enum heart_cmd heart_cmd_parse(const uint8_t *payload, size_t len);
const char *heart_cmd_name(enum heart_cmd c);
/* The shutdown a guarded or immediate command asks for ("reboot",
 * "poweroff", "halt": control verbs), or NULL. */
const char *heart_cmd_shutdown_verb(enum heart_cmd c);

struct heart_state {
        uint64_t timeout_ms;         /* HEART_BEAT_TIMEOUT */
        uint64_t pet_interval_ms;
        uint64_t last_beat_ms;       /* may lie ahead: grace, snooze */
        uint64_t last_pet_ms;
        uint64_t grace_end_ms, snooze_end_ms;
        unsigned handshake_timeout_s;  /* 0: no handshake required */
        uint64_t handshake_end_ms;
        bool handshake_done;
        bool pets_off;               /* disable_hw, a guarded or immediate command */
        const char *shutdown_verb;   /* what a guarded command asked of vigil, or NULL */
};

/* Start at now: init_timeout and grace are $HEART_INIT_TIMEOUT and
 * $HEART_INIT_GRACE_TIME (or NULL), read as nerves_heart reads them
 * (a decimal integer; anything else is 0). */
void heart_state_init(struct heart_state *s, uint64_t now, unsigned timeout_s, const char *init_timeout,
                      const char *grace);

enum heart_due {
        HEART_DUE_NOTHING,
        HEART_DUE_PET,           /* send WATCHDOG=1, then heart_state_petted() */
        HEART_DUE_BEAT_MISSED,   /* the heartbeat deadline passed */
        HEART_DUE_NO_HANDSHAKE,  /* HEART_INIT_TIMEOUT passed without init_handshake */
};

/* What is due at now (the misses first, as nerves_heart checks them). */
enum heart_due heart_state_due(const struct heart_state *s, uint64_t now);
/* Milliseconds until something is due (0: now). */
uint64_t heart_state_wait_ms(const struct heart_state *s, uint64_t now);
/* A pet went out at now. */
void heart_state_petted(struct heart_state *s, uint64_t now);
/* A heartbeat at now; true when it should be relayed as a pet. */
bool heart_state_beat(struct heart_state *s, uint64_t now);
/* Snooze (the command or SIGUSR1): true when a pet should go out now. */
bool heart_state_snooze(struct heart_state *s, uint64_t now);
/* Apply a command's change of state (the caller does the effects: the
 * pet before a guarded command, the shutdown request, the timeout of
 * disable_vm). Returns whether a pet should go out first. */
bool heart_state_command(struct heart_state *s, uint64_t now, enum heart_cmd c);

/* vigil's hardware watchdog, from the control socket's `watchdog` view
 * (docs/CONTROL.md): fed key by key. */
struct heart_wdt {
        char state[24];          /* vigil's state; "off" without a device; "unknown": vigil not asked / no answer */
        bool device;             /* vigil has a device: the fields below are its */
        char identity[64];
        unsigned long long firmware_version;
        char options[256];       /* vigil's comma-separated list */
        unsigned long long timeout_s, time_left_s;
        bool last_boot_watchdog;
};

void heart_wdt_init(struct heart_wdt *w, const char *state);
/* One KEY, VALUE of vigil's `watchdog` body; unknown keys are ignored. */
void heart_wdt_set(struct heart_wdt *w, const char *key, const char *value);

/* The status report nerves_heart answers GET_CMD with: "key=value\n"
 * lines, nerves_heart's keys in its order, then vigil-heart's own
 * (vigil_heart_version, vigil_watchdog), into buf[0..cap). The length
 * written (the report is cut at cap - 1, NUL-terminated). */
size_t heart_status_format(const struct heart_state *s, uint64_t now, const struct heart_wdt *w, char *buf,
                           size_t cap);

#endif
