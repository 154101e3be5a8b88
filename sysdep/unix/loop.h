/*
 * metalbird -- the event loop interface
 *
 * The only door to libevent: the rest of the daemon sees timers, deferred
 * events and buffered stream sockets through this small interface, so that
 * protocol code stays testable and libevent stays in sysdep/unix/loop.c.
 * Everything runs on one thread; callbacks never nest.
 */
#ifndef MB_LOOP_H
#define MB_LOOP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "nest/ip.h"

struct event_base;

int loop_init(void);
void loop_run(void);			/* until loop_exit() */
void loop_exit(void);
void loop_reinit(void);			/* in the child after fork() */
void loop_cleanup(void);		/* at exit, after loop_run() returned */
struct event_base *loop_base(void);	/* for sysdep/ code only */
double now_mono(void);			/* monotonic seconds, cached per loop turn */
double now_real(void);			/* wall clock, seconds since epoch */

/* One-shot timers (re-arm from the callback for periodic work). */
typedef void (*timer_fn)(void *data);
struct timer;
struct timer *tm_new(timer_fn fn, void *data);
void tm_start(struct timer *t, double seconds);	/* (re)arm */
void tm_stop(struct timer *t);
int tm_active(const struct timer *t);
double tm_remains(const struct timer *t);	/* seconds until it fires, 0 if not active */
void tm_free(struct timer *t);

/* Deferred work: run fn(data) once on the next loop turn (bounded work per
 * turn: long jobs schedule themselves again). */
typedef void (*defer_fn)(void *data);
struct defer;
struct defer *defer_new(defer_fn fn, void *data);
void defer_schedule(struct defer *d);	/* idempotent until it runs */
void defer_cancel(struct defer *d);
void defer_free(struct defer *d);

/* Signals: fn runs from the loop, not from the handler. */
void loop_signal(int signo, void (*fn)(int signo));

/* Readiness of a raw file descriptor (raw sockets, inotify, netlink). */
struct fdwatch;
struct fdwatch *fd_watch(int fd, void (*fn)(int fd, void *data), void *data);
void fd_unwatch(struct fdwatch *w);

/*
 * Buffered stream sockets (TCP and Unix).  Output is queued without limit
 * (callers watch sk_outq() and stop producing when it is large); input is
 * buffered and handed to the read callback, which consumes what it can with
 * sk_drain().
 */
struct sk;
struct sk_ops {
	void (*rx)(struct sk *s, void *data);		/* input is available */
	void (*tx_empty)(struct sk *s, void *data);	/* output queue drained (optional) */
	void (*connected)(struct sk *s, void *data);	/* outgoing connect done (optional) */
	void (*error)(struct sk *s, void *data, int err, const char *msg); /* EOF: err 0 */
};

/* Options of an outgoing or listening TCP socket. */
struct sk_tcp_opts {
	ip_addr local;		/* bind to this address when set */
	int has_local;
	uint16_t local_port;	/* 0 = any */
	const char *iface;	/* SO_BINDTODEVICE, or NULL */
	const char *password;	/* TCP-MD5 key (RFC 2385), or NULL */
	int ttl;		/* outgoing TTL, 0 = default */
	int min_ttl;		/* GTSM: drop packets with a lower TTL (RFC 5082), 0 = off */
};

struct sk *sk_tcp_connect(ip_addr dst, uint16_t port, const struct sk_tcp_opts *o,
			  const struct sk_ops *ops, void *data, char *err, size_t errlen);
struct sk *sk_from_fd(int fd, const struct sk_ops *ops, void *data);
void sk_set_data(struct sk *s, void *data);
size_t sk_inlen(struct sk *s);
const uint8_t *sk_peek(struct sk *s, size_t n);	/* NULL if fewer than n bytes */
void sk_drain(struct sk *s, size_t n);
int sk_write(struct sk *s, const void *buf, size_t len);
int sk_printf(struct sk *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
size_t sk_outq(struct sk *s);
void sk_pause_read(struct sk *s, int paused);	/* back-pressure on input */
int sk_fd(struct sk *s);
/* Local and remote address of a TCP socket. */
int sk_addrs(struct sk *s, ip_addr *local, uint16_t *lport, ip_addr *remote, uint16_t *rport);
void sk_close(struct sk *s);			/* drops queued output */
void sk_close_after_flush(struct sk *s);	/* closes once output is sent */

/* Listening sockets: fn is called with each accepted fd. */
struct listener;
typedef void (*accept_fn)(int fd, void *data);
struct listener *listen_tcp(ip_addr addr, uint16_t port, const struct sk_tcp_opts *o,
			    accept_fn fn, void *data, char *err, size_t errlen);
struct listener *listen_unix(const char *path, accept_fn fn, void *data, char *err, size_t errlen);
void listener_free(struct listener *l);
int listener_fd(struct listener *l);	/* for per-peer options (TCP-MD5 keys) */

#endif
