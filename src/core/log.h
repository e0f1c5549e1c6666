/* SPDX-License-Identifier: MIT */
/*
 * vigil's own log: one line per message on stderr, "vigil: text". The level
 * decides what is shown: notice by default, -v info, -vv debug, -q warnings,
 * -qq errors only. A message is formatted into a bounded buffer and written
 * with one write(), so lines from vigil and its children never interleave
 * mid-line. Write errors (EPIPE, a full non-blocking pipe) drop the line:
 * logging must never stop PID 1.
 */
#ifndef VIGIL_CORE_LOG_H
#define VIGIL_CORE_LOG_H

enum log_level {
        LOG_LEVEL_ERROR = 3,
        LOG_LEVEL_WARNING = 4,
        LOG_LEVEL_NOTICE = 5,
        LOG_LEVEL_INFO = 6,
        LOG_LEVEL_DEBUG = 7,
};

void log_set_level(int level);
int log_get_level(void);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_LEVEL_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
