/* SPDX-License-Identifier: MIT */
/*
 * vigilctl's rendering of whole replies (docs/CONTROL.md): status as a table
 * or JSON (in the schema's order, fields looked up by the reply's header
 * names), history, and the hardware watchdog; and the small helpers
 * `log` shares. vigilctl.c keeps the command line, the connection and the
 * log stream. stdout only; nothing here talks to vigil.
 */
#ifndef VIGIL_CMD_VIGILCTL_FORMAT_H
#define VIGIL_CMD_VIGILCTL_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#define VIGILCTL_MAX_FIELDS 64

/* --json, and colours (a terminal, no NO_COLOR): set by main before any output. */
extern bool vigilctl_json, vigilctl_color;

/* A reply's "#name..." header: the names of its body's fields. */
struct vigilctl_table {
        char *names[VIGILCTL_MAX_FIELDS];
        size_t n_names;
};

/* Field name of one body line f[0..n), "" when the line has none. */
const char *vigilctl_field(const struct vigilctl_table *t, char **f, size_t n, const char *name);
/* json_put_string()'s sink onto stdout. */
void vigilctl_stdout_sink(void *ctx, const char *p, size_t len);
/* A field as a JSON string ('"', '\\' and control bytes escaped). */
void vigilctl_json_string(const char *s);
/* A usec-since-epoch field as local time, or as UTC ISO 8601 (utc_iso). */
void vigilctl_format_time(const char *usec, char *out, size_t size, bool utc_iso);

/* The bodies of status, history UNIT and watchdog; 0, or 1 when malformed. */
int vigilctl_print_status(char *body);
int vigilctl_print_history(const char *unit, char *body);
int vigilctl_print_watchdog(char *body);

#endif
