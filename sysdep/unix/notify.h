/*
 * metalbird -- readiness notification for systemd (Type=notify)
 */
#ifndef MB_NOTIFY_H
#define MB_NOTIFY_H

/* Read $NOTIFY_SOCKET and open the datagram socket (before privileges are
 * dropped); register a config hook that sends READY=1 once the first
 * config is committed, and RELOADING=1 then READY=1 around every later
 * commit not already inside notify_reloading()/notify_ready().  Without
 * $NOTIFY_SOCKET everything here does nothing.  With $WATCHDOG_USEC
 * (systemd's WatchdogSec=) WATCHDOG=1 goes out every half period. */
void notify_init(void);
/* RELOADING=1 with MONOTONIC_USEC (before a reload). */
void notify_reloading(void);
/* READY=1 with MAINPID and STATUS (start-up done, or a reload finished). */
void notify_ready(void);
/* STOPPING=1 (shutdown begins). */
void notify_stopping(void);

#endif
