/* SPDX-License-Identifier: MIT */
#include "heart/heart_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
        const char *name;
        enum heart_cmd cmd;
} commands[] = {
        { "disable", HEART_CMD_DISABLE_HW },
        { "disable_hw", HEART_CMD_DISABLE_HW },
        { "disable_vm", HEART_CMD_DISABLE_VM },
        { "init_handshake", HEART_CMD_INIT_HANDSHAKE },
        { "snooze", HEART_CMD_SNOOZE },
        { "guarded_reboot", HEART_CMD_GUARDED_REBOOT },
        { "guarded_poweroff", HEART_CMD_GUARDED_POWEROFF },
        { "guarded_halt", HEART_CMD_GUARDED_HALT },
        { "guarded_immediate_reboot", HEART_CMD_IMMEDIATE_REBOOT },
        { "guarded_immediate_poweroff", HEART_CMD_IMMEDIATE_POWEROFF },
};

enum heart_cmd heart_cmd_parse(const uint8_t *payload, size_t len) {
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                if (strlen(commands[i].name) == len && memcmp(commands[i].name, payload, len) == 0)
                        return commands[i].cmd;
        return HEART_CMD_OTHER;
}

const char *heart_cmd_name(enum heart_cmd c) {
        if (c == HEART_CMD_DISABLE_HW)
                return "disable_hw";
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                if (commands[i].cmd == c)
                        return commands[i].name;
        return "(not a command)";
}

const char *heart_cmd_shutdown_verb(enum heart_cmd c) {
        switch (c) {
        case HEART_CMD_GUARDED_REBOOT:
        case HEART_CMD_IMMEDIATE_REBOOT:
                return "reboot";
        case HEART_CMD_GUARDED_POWEROFF:
        case HEART_CMD_IMMEDIATE_POWEROFF:
                return "poweroff";
        case HEART_CMD_GUARDED_HALT:
                return "halt";
        default:
                return NULL;
        }
}

/* nerves_heart reads its variables with atoi(): a leading decimal
 * integer, anything else 0. */
static long env_int(const char *text) {
        if (!text)
                return 0;
        long v = strtol(text, NULL, 10);
        return v > 86400 * 365 ? 86400 * 365 : v < -1 ? -1 : v;
}

void heart_state_init(struct heart_state *s, uint64_t now, unsigned timeout_s, const char *init_timeout,
                      const char *grace) {
        long hs = env_int(init_timeout), gr = env_int(grace);
        if (gr < 0)
                gr = 0;
        if (gr > HEART_GRACE_MAX_S)
                gr = HEART_GRACE_MAX_S;
        if (hs > 0 && hs < gr)
                hs = gr;  /* the handshake never ends the grace time early */
        *s = (struct heart_state){
                .timeout_ms = (uint64_t)timeout_s * 1000,
                .pet_interval_ms = timeout_s > 20 ? (uint64_t)(timeout_s - 10) * 1000 : (uint64_t)timeout_s * 500,
                .last_beat_ms = now + (uint64_t)gr * 1000,
                .last_pet_ms = now,
                .grace_end_ms = now + (uint64_t)gr * 1000,
                .snooze_end_ms = now,
                .handshake_timeout_s = hs > 0 ? (unsigned)hs : 0,
                .handshake_end_ms = now + (hs > 0 ? (uint64_t)hs * 1000 : 0),
                .handshake_done = hs <= 0,
        };
}

static uint64_t beat_deadline(const struct heart_state *s) {
        return s->last_beat_ms + s->timeout_ms;
}

static bool handshake_pending(const struct heart_state *s) {
        return !s->handshake_done && s->handshake_timeout_s > 0;
}

enum heart_due heart_state_due(const struct heart_state *s, uint64_t now) {
        if (now >= beat_deadline(s))
                return HEART_DUE_BEAT_MISSED;
        if (handshake_pending(s) && now >= s->handshake_end_ms)
                return HEART_DUE_NO_HANDSHAKE;
        if (!s->pets_off && now >= s->last_pet_ms + s->pet_interval_ms)
                return HEART_DUE_PET;
        return HEART_DUE_NOTHING;
}

uint64_t heart_state_wait_ms(const struct heart_state *s, uint64_t now) {
        uint64_t next = beat_deadline(s);
        if (handshake_pending(s) && s->handshake_end_ms < next)
                next = s->handshake_end_ms;
        if (!s->pets_off && s->last_pet_ms + s->pet_interval_ms < next)
                next = s->last_pet_ms + s->pet_interval_ms;
        return next > now ? next - now : 0;
}

void heart_state_petted(struct heart_state *s, uint64_t now) {
        s->last_pet_ms = now;
}

bool heart_state_beat(struct heart_state *s, uint64_t now) {
        if (s->last_beat_ms < now)
                s->last_beat_ms = now;  /* a grace or snooze deadline is never pulled back */
        return !s->pets_off;
}

bool heart_state_snooze(struct heart_state *s, uint64_t now) {
        s->handshake_done = true;
        s->last_beat_ms = s->snooze_end_ms = now + HEART_SNOOZE_MS;
        return !s->pets_off;
}

bool heart_state_command(struct heart_state *s, uint64_t now, enum heart_cmd c) {
        switch (c) {
        case HEART_CMD_DISABLE_HW:
                s->pets_off = true;
                return false;
        case HEART_CMD_INIT_HANDSHAKE:
                s->handshake_done = true;
                return false;
        case HEART_CMD_SNOOZE:
                return heart_state_snooze(s, now);
        case HEART_CMD_GUARDED_REBOOT:
        case HEART_CMD_GUARDED_POWEROFF:
        case HEART_CMD_GUARDED_HALT: {
                bool pet = !s->pets_off;
                s->pets_off = true;
                s->shutdown_verb = heart_cmd_shutdown_verb(c);
                return pet;  /* the last pet: the shutdown gets the whole timeout */
        }
        case HEART_CMD_IMMEDIATE_REBOOT:
        case HEART_CMD_IMMEDIATE_POWEROFF:
                s->pets_off = true;
                s->shutdown_verb = heart_cmd_shutdown_verb(c);
                return false;
        case HEART_CMD_DISABLE_VM:
        case HEART_CMD_OTHER:
                return false;
        }
        return false;
}

/* ---------------------------------------------------------------- vigil's hardware watchdog */

static void copy_text(char *dst, size_t cap, const char *src) {
        size_t i = 0;
        for (; src[i] && i + 1 < cap; i++)
                dst[i] = src[i] == '\n' || src[i] == '\r' ? ' ' : src[i];  /* one report line each */
        dst[i] = '\0';
}

void heart_wdt_init(struct heart_wdt *w, const char *state) {
        *w = (struct heart_wdt){ .device = false };
        copy_text(w->state, sizeof(w->state), state);
}

static unsigned long long number(const char *text) {
        char *end;
        unsigned long long v = strtoull(text, &end, 10);
        return end == text || *end || text[0] == '-' ? 0 : v;
}

void heart_wdt_set(struct heart_wdt *w, const char *key, const char *value) {
        if (strcmp(key, "state") == 0) {
                copy_text(w->state, sizeof(w->state), value);
                w->device = strcmp(value, "off") != 0 && strcmp(value, "unavailable") != 0;
        } else if (strcmp(key, "identity") == 0) {
                copy_text(w->identity, sizeof(w->identity), value);
        } else if (strcmp(key, "firmware_version") == 0) {
                w->firmware_version = number(value);
        } else if (strcmp(key, "options") == 0) {
                copy_text(w->options, sizeof(w->options), value);
        } else if (strcmp(key, "timeout_sec") == 0) {
                w->timeout_s = number(value);
        } else if (strcmp(key, "time_left_usec") == 0) {
                w->time_left_s = number(value) / 1000000;
        } else if (strcmp(key, "last_boot_watchdog") == 0) {
                w->last_boot_watchdog = strcmp(value, "yes") == 0;
        }
}

/* ---------------------------------------------------------------- the status report */

/* Whole seconds from now until t, rounded (0 once t has passed). */
static unsigned long long left_s(uint64_t t, uint64_t now) {
        return t > now ? (t - now + 500) / 1000 : 0;
}

struct out {
        char *buf;
        size_t cap, len;
};

static void put(struct out *o, const char *key, const char *text) {
        if (o->len + 1 >= o->cap)
                return;
        int n = snprintf(o->buf + o->len, o->cap - o->len, "%s=%s\n", key, text);
        size_t room = o->cap - o->len - 1;
        o->len += n < 0 ? 0 : (size_t)n > room ? room : (size_t)n;
}

static void put_u(struct out *o, const char *key, unsigned long long v) {
        char value[24];
        snprintf(value, sizeof(value), "%llu", v);
        put(o, key, value);
}

/* vigil's "a,b,c" as nerves_heart's "a,b,c," (each option ends in a comma). */
static void terminated_list(const char *in, char *out, size_t cap) {
        size_t j = 0;
        for (size_t i = 0; in[i] && j + 2 < cap; i++)
                out[j++] = in[i];
        if (j > 0 && j + 1 < cap)
                out[j++] = ',';
        out[j] = '\0';
}

size_t heart_status_format(const struct heart_state *s, uint64_t now, const struct heart_wdt *w, char *buf,
                           size_t cap) {
        struct out o = { buf, cap, 0 };
        if (cap == 0)
                return 0;
        buf[0] = '\0';
        char options[sizeof(w->options) + 1];
        terminated_list(w->device ? w->options : "", options, sizeof(options));
        put(&o, "program_name", "nerves_heart");
        put(&o, "program_version", HEART_NERVES_VERSION);
        put_u(&o, "heartbeat_timeout", s->timeout_ms / 1000);
        put_u(&o, "heartbeat_time_left", left_s(beat_deadline(s), now));
        put_u(&o, "init_grace_time_left", left_s(s->grace_end_ms, now));
        put_u(&o, "snooze_time_left", left_s(s->snooze_end_ms, now));
        put_u(&o, "wdt_pet_time_left", s->pets_off ? 0 : left_s(s->last_pet_ms + s->pet_interval_ms, now));
        put_u(&o, "init_handshake_happened", s->handshake_done);
        put_u(&o, "init_handshake_timeout", s->handshake_timeout_s);
        put_u(&o, "init_handshake_time_left", handshake_pending(s) ? left_s(s->handshake_end_ms, now) : 0);
        put(&o, "wdt_identity", w->device && w->identity[0] ? w->identity : "none");
        put_u(&o, "wdt_firmware_version", w->device ? w->firmware_version : 0);
        put(&o, "wdt_options", options);
        put_u(&o, "wdt_time_left", w->device ? w->time_left_s : 0);
        put_u(&o, "wdt_pre_timeout", 0);  /* vigil does not read the pre-timeout */
        put_u(&o, "wdt_timeout", w->device ? w->timeout_s : 0);
        put(&o, "wdt_last_boot", w->device && w->last_boot_watchdog ? "watchdog" : "power_on");
        put(&o, "vigil_heart_version", VIGIL_VERSION);
        put(&o, "vigil_watchdog", w->state[0] ? w->state : "unknown");
        return o.len;
}
