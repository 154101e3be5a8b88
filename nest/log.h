/*
 * metalbird -- logging
 *
 * One line per event.  Classes follow BIRD (debug, trace, info, remote,
 * warning, error, auth, fatal, bug); `log` statements of the config pick
 * targets (stderr, syslog, a file) and the classes each receives.
 * `remote` is for faults of a peer, `error` for our own.
 */
#ifndef MB_LOG_H
#define MB_LOG_H

#include <stdarg.h>

enum log_class { L_DEBUG, L_TRACE, L_INFO, L_REMOTE, L_WARN, L_ERR, L_AUTH, L_FATAL, L_BUG, L__MAX };

struct log_cfg;

void log_msg(int cls, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vmsg(int cls, const char *fmt, va_list ap);
/* Before a config is read: stderr only, everything from info up (or debug). */
void log_init(int foreground, int debug);
/* Switch to the targets of a config (NULL: the default). */
void log_configure(const struct log_cfg *targets, int foreground, int debug);
const char *log_class_name(int cls);
/* Called by config grammar: a `log` statement adds a target. */
void cf_log_target(int type, const char *path);

#endif
