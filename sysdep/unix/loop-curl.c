/*
 * metalbird -- readiness of a descriptor for reading and/or writing
 *
 * A persistent libevent event per descriptor, re-created when the set of
 * events changes (libevent has no way to change the events of a pending
 * event in place).  Used by the Kubernetes API client, whose libcurl multi
 * handle tells us per socket whether it waits to read, to write, or both.
 */
#include "sysdep/unix/loop-curl.h"
#include "sysdep/unix/loop.h"
#include "nest/mem.h"

#include <event2/event.h>
#include <stdlib.h>

struct fdwatch_rw {
	struct event *ev;
	int fd, events;
	void (*fn)(int fd, int what, void *data);
	void *data;
};

static void rw_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fdwatch_rw *w = arg;
	int ready = ((what & EV_READ) ? FDW_READ : 0) | ((what & EV_WRITE) ? FDW_WRITE : 0);

	w->fn((int)fd, ready, w->data);
}

void fd_watch_rw_set(struct fdwatch_rw *w, int events)
{
	if (w->ev && w->events == events)
		return;
	if (w->ev)
		event_free(w->ev);
	w->ev = NULL;
	w->events = events;
	if (!events)
		return;
	short e = EV_PERSIST | ((events & FDW_READ) ? EV_READ : 0) | ((events & FDW_WRITE) ? EV_WRITE : 0);
	w->ev = event_new(loop_base(), w->fd, e, rw_cb, w);
	event_add(w->ev, NULL);
}

struct fdwatch_rw *fd_watch_rw(int fd, int events, void (*fn)(int fd, int what, void *data), void *data)
{
	struct fdwatch_rw *w = xzalloc(sizeof *w);

	w->fd = fd;
	w->fn = fn;
	w->data = data;
	fd_watch_rw_set(w, events);
	return w;
}

void fd_unwatch_rw(struct fdwatch_rw *w)
{
	if (!w)
		return;
	if (w->ev)
		event_free(w->ev);
	free(w);
}
