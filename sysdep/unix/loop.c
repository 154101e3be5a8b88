/*
 * metalbird -- the event loop (the only user of libevent)
 *
 * Timers, deferred events, signals, raw fd watches and buffered stream
 * sockets, on one libevent base.  Sockets are bufferevents: output is queued
 * in memory and written when the kernel takes it, so no peer or client that
 * reads slowly can block the daemon; callers look at sk_outq() to stop
 * producing (back-pressure) and get tx_empty() when it drained.
 */
#include "sysdep/unix/loop.h"
#include "sysdep/linux/tcp.h"
#include "sysdep/unix/sockaddr.h"
#include "nest/mem.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static struct event_base *base;

int loop_init(void)
{
	if (base)
		return 0;
	base = event_base_new();
	return base ? 0 : -1;
}

struct event_base *loop_base(void) { return base; }
void loop_reinit(void) { event_reinit(base); }

void loop_run(void) { event_base_dispatch(base); }
void loop_exit(void) { event_base_loopbreak(base); }

double now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

double now_real(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct timeval tv_of(double s)
{
	struct timeval tv;
	if (s < 0)
		s = 0;
	tv.tv_sec = (time_t)s;
	tv.tv_usec = (suseconds_t)((s - (double)tv.tv_sec) * 1e6);
	return tv;
}

/* --- timers ------------------------------------------------------------------ */

struct timer {
	struct event *ev;
	timer_fn fn;
	void *data;
	double expires;		/* monotonic */
	int active;
};

static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct timer *t = arg;
	t->active = 0;
	t->fn(t->data);
}

struct timer *tm_new(timer_fn fn, void *data)
{
	struct timer *t = xzalloc(sizeof *t);
	t->fn = fn;
	t->data = data;
	t->ev = evtimer_new(base, timer_cb, t);
	return t;
}

void tm_start(struct timer *t, double seconds)
{
	struct timeval tv = tv_of(seconds);
	t->expires = now_mono() + seconds;
	t->active = 1;
	evtimer_add(t->ev, &tv);
}

void tm_stop(struct timer *t)
{
	if (!t)
		return;
	t->active = 0;
	evtimer_del(t->ev);
}

int tm_active(const struct timer *t) { return t && t->active; }

double tm_remains(const struct timer *t)
{
	if (!t || !t->active)
		return 0;
	double r = t->expires - now_mono();
	return r > 0 ? r : 0;
}

void tm_free(struct timer *t)
{
	if (!t)
		return;
	event_free(t->ev);
	free(t);
}

/* --- deferred events ------------------------------------------------------- */

struct defer {
	struct event *ev;
	defer_fn fn;
	void *data;
	int pending;
};

static void defer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct defer *d = arg;
	d->pending = 0;
	d->fn(d->data);
}

struct defer *defer_new(defer_fn fn, void *data)
{
	struct defer *d = xzalloc(sizeof *d);
	d->fn = fn;
	d->data = data;
	d->ev = evtimer_new(base, defer_cb, d);
	return d;
}

void defer_schedule(struct defer *d)
{
	struct timeval tv = { 0, 0 };
	if (d->pending)
		return;
	d->pending = 1;
	evtimer_add(d->ev, &tv);
}

void defer_cancel(struct defer *d)
{
	d->pending = 0;
	evtimer_del(d->ev);
}

void defer_free(struct defer *d)
{
	if (!d)
		return;
	event_free(d->ev);
	free(d);
}

/* --- signals and fd watches --------------------------------------------------- */

struct sigh {
	struct event *ev;
	void (*fn)(int);
	struct sigh *next;	/* every handler, for loop_cleanup() */
};

static struct sigh *all_sighs;

static void signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct sigh *h = arg;
	h->fn((int)sig);
}

void loop_signal(int signo, void (*fn)(int signo))
{
	struct sigh *h = xzalloc(sizeof *h);	/* lives as long as the daemon */
	h->fn = fn;
	h->next = all_sighs;
	all_sighs = h;
	h->ev = evsignal_new(base, signo, signal_cb, h);
	evsignal_add(h->ev, NULL);
}

struct fdwatch {
	struct event *ev;
	void (*fn)(int fd, void *data);
	void *data;
};

static void fdwatch_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fdwatch *w = arg;
	w->fn((int)fd, w->data);
}

struct fdwatch *fd_watch(int fd, void (*fn)(int fd, void *data), void *data)
{
	struct fdwatch *w = xzalloc(sizeof *w);
	w->fn = fn;
	w->data = data;
	w->ev = event_new(base, fd, EV_READ | EV_PERSIST, fdwatch_cb, w);
	event_add(w->ev, NULL);
	return w;
}

void fd_unwatch(struct fdwatch *w)
{
	if (!w)
		return;
	event_free(w->ev);
	free(w);
}

/* --- buffered sockets ---------------------------------------------------------- */

struct sk {
	struct bufferevent *bev;
	const struct sk_ops *ops;
	void *data;
	int closing;		/* close once output is flushed */
	int fd;
	struct event *linger;	/* bounds the wait for a peer that does not read */
	struct sk *prev, *next;	/* every socket, for loop_cleanup() */
};

static struct sk *all_sks;

static void sk_free(struct sk *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		all_sks = s->next;
	if (s->next)
		s->next->prev = s->prev;
	if (s->linger)
		event_free(s->linger);
	bufferevent_free(s->bev);
	free(s);
}

#define SK_LINGER 5.0	/* seconds a closing socket may take to send what is queued */

static void sk_linger_cb(evutil_socket_t fd, short what, void *arg)
{
	sk_free(arg);
}

static void sk_read_cb(struct bufferevent *bev, void *arg)
{
	struct sk *s = arg;
	if (s->closing) {
		evbuffer_drain(bufferevent_get_input(bev), evbuffer_get_length(bufferevent_get_input(bev)));
		return;
	}
	if (s->ops->rx)
		s->ops->rx(s, s->data);
}

static void sk_write_cb(struct bufferevent *bev, void *arg)
{
	struct sk *s = arg;
	if (s->closing) {
		sk_free(s);
		return;
	}
	if (s->ops->tx_empty)
		s->ops->tx_empty(s, s->data);
}

static void sk_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct sk *s = arg;

	if (s->closing) {
		/* its owner has let go: nothing to tell anyone, and a connect
		 * that completes now only has the queued output to send */
		if (!(what & BEV_EVENT_CONNECTED))
			sk_free(s);
		return;
	}
	if (what & BEV_EVENT_CONNECTED) {
		if (s->ops->connected)
			s->ops->connected(s, s->data);
		return;
	}
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		int err = (what & BEV_EVENT_ERROR) ? EVUTIL_SOCKET_ERROR() : 0;
		if ((what & BEV_EVENT_ERROR) && !err)
			err = EIO;
		if (s->ops->error)
			s->ops->error(s, s->data, err, err ? strerror(err) : "connection closed");
	}
}

static struct sk *sk_wrap(int fd, const struct sk_ops *ops, void *data)
{
	struct sk *s = xzalloc(sizeof *s);

	evutil_make_socket_nonblocking(fd);
	s->bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	s->ops = ops;
	s->data = data;
	s->fd = fd;
	s->next = all_sks;
	if (all_sks)
		all_sks->prev = s;
	all_sks = s;
	bufferevent_setcb(s->bev, sk_read_cb, sk_write_cb, sk_event_cb, s);
	bufferevent_enable(s->bev, EV_READ | EV_WRITE);
	return s;
}

struct sk *sk_from_fd(int fd, const struct sk_ops *ops, void *data)
{
	return sk_wrap(fd, ops, data);
}

struct sk *sk_tcp_connect(ip_addr dst, uint16_t port, const struct sk_tcp_opts *o,
			  const struct sk_ops *ops, void *data, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len = sa_from_ip(dst, 0, port, &ss);
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return NULL;
	}
	if (o && tcp_setopts(fd, ss.ss_family, o, dst, err, errlen) < 0) {
		close(fd);
		return NULL;
	}
	struct sk *s = sk_wrap(fd, ops, data);
	if (bufferevent_socket_connect(s->bev, (struct sockaddr *)&ss, (int)len) < 0) {
		snprintf(err, errlen, "connect: %s", strerror(errno));
		sk_free(s);
		return NULL;
	}
	return s;
}

void sk_set_data(struct sk *s, void *data) { s->data = data; }
size_t sk_inlen(struct sk *s) { return evbuffer_get_length(bufferevent_get_input(s->bev)); }

const uint8_t *sk_peek(struct sk *s, size_t n)
{
	struct evbuffer *in = bufferevent_get_input(s->bev);
	if (evbuffer_get_length(in) < n)
		return NULL;
	return evbuffer_pullup(in, (ev_ssize_t)n);
}

void sk_drain(struct sk *s, size_t n) { evbuffer_drain(bufferevent_get_input(s->bev), n); }

int sk_write(struct sk *s, const void *buf, size_t len)
{
	return bufferevent_write(s->bev, buf, len);
}

int sk_printf(struct sk *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = evbuffer_add_vprintf(bufferevent_get_output(s->bev), fmt, ap);
	va_end(ap);
	return r;
}

size_t sk_outq(struct sk *s) { return evbuffer_get_length(bufferevent_get_output(s->bev)); }

void sk_pause_read(struct sk *s, int paused)
{
	if (paused)
		bufferevent_disable(s->bev, EV_READ);
	else
		bufferevent_enable(s->bev, EV_READ);
}

int sk_fd(struct sk *s) { return s->fd; }

int sk_addrs(struct sk *s, ip_addr *local, uint16_t *lport, ip_addr *remote, uint16_t *rport)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (local || lport) {
		if (getsockname(s->fd, (struct sockaddr *)&ss, &len) < 0)
			return -1;
		ip_addr a = ip_from_sa(&ss, lport);
		if (local)
			*local = a;
	}
	len = sizeof ss;
	if (remote || rport) {
		if (getpeername(s->fd, (struct sockaddr *)&ss, &len) < 0)
			return -1;
		ip_addr a = ip_from_sa(&ss, rport);
		if (remote)
			*remote = a;
	}
	return 0;
}

void sk_close(struct sk *s)
{
	if (s)
		sk_free(s);
}

void sk_close_after_flush(struct sk *s)
{
	if (!sk_outq(s)) {
		sk_free(s);
		return;
	}
	s->closing = 1;
	bufferevent_disable(s->bev, EV_READ);
	struct timeval tv = tv_of(SK_LINGER);
	s->linger = evtimer_new(base, sk_linger_cb, s);
	evtimer_add(s->linger, &tv);
}

/* --- listeners ------------------------------------------------------------------ */

struct listener {
	struct evconnlistener *l;
	accept_fn fn;
	void *data;
	char *unix_path;
};

static void accept_cb(struct evconnlistener *el, evutil_socket_t fd, struct sockaddr *sa, int len, void *arg)
{
	struct listener *l = arg;
	l->fn((int)fd, l->data);
}

static struct listener *listener_wrap(int fd, accept_fn fn, void *data)
{
	struct listener *l = xzalloc(sizeof *l);
	l->fn = fn;
	l->data = data;
	l->l = evconnlistener_new(base, accept_cb, l, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
	if (!l->l) {
		close(fd);
		free(l);
		return NULL;
	}
	return l;
}

struct listener *listen_tcp(ip_addr addr, uint16_t port, const struct sk_tcp_opts *o,
			    accept_fn fn, void *data, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len = sa_from_ip(addr, 0, port, &ss);
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return NULL;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (o) {
		struct sk_tcp_opts lo = *o;
		lo.has_local = 0;	/* the bind below does it */
		lo.password = NULL;	/* per-peer keys: tcp_md5_set() on the listener */
		if (tcp_setopts(fd, ss.ss_family, &lo, addr, err, errlen) < 0) {
			close(fd);
			return NULL;
		}
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 16) < 0) {
		char a[IP_STRLEN];
		snprintf(err, errlen, "cannot listen on %s port %u: %s", ip_ntop(addr, a), port, strerror(errno));
		close(fd);
		return NULL;
	}
	struct listener *l = listener_wrap(fd, fn, data);
	if (!l)
		snprintf(err, errlen, "cannot create listener");
	return l;
}

struct listener *listen_unix(const char *path, accept_fn fn, void *data, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	int fd;

	if (strlen(path) >= sizeof sun.sun_path) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return NULL;
	}
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return NULL;
	}
	/* a socket file left by a dead daemon may go; a live daemon's may not */
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0) {
		close(fd);
		snprintf(err, errlen, "another daemon is already listening on %s", path);
		return NULL;
	}
	close(fd);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof sun) < 0 || listen(fd, 32) < 0) {
		snprintf(err, errlen, "cannot create control socket %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	chmod(path, 0660);
	struct listener *l = listener_wrap(fd, fn, data);
	if (!l) {
		snprintf(err, errlen, "cannot create listener");
		return NULL;
	}
	l->unix_path = xstrdup(path);
	return l;
}

void listener_free(struct listener *l)
{
	if (!l)
		return;
	evconnlistener_free(l->l);
	if (l->unix_path) {
		unlink(l->unix_path);
		free(l->unix_path);
	}
	free(l);
}

int listener_fd(struct listener *l)
{
	return (int)evconnlistener_get_fd(l->l);
}

/* At exit: sockets still closing (their output never drained) and the base. */
void loop_cleanup(void)
{
	while (all_sks)
		sk_free(all_sks);
	while (all_sighs) {
		struct sigh *h = all_sighs;
		all_sighs = h->next;
		event_free(h->ev);
		free(h);
	}
	event_base_free(base);
	base = NULL;
}
