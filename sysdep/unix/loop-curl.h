/*
 * metalbird -- readiness of a descriptor for reading and/or writing
 *
 * loop.h's fd_watch() knows only "readable"; libcurl's multi-socket
 * interface asks for writability too (a TLS handshake, a request body).
 * This is that one addition, kept beside the loop so that only sysdep/unix
 * touches libevent.
 */
#ifndef MB_LOOP_CURL_H
#define MB_LOOP_CURL_H

#define FDW_READ	0x1
#define FDW_WRITE	0x2

struct fdwatch_rw;
/* Call fn(fd, what, data) while fd is ready for any of events (FDW_*);
 * what says which are ready. */
struct fdwatch_rw *fd_watch_rw(int fd, int events, void (*fn)(int fd, int what, void *data), void *data);
/* Change the events watched (0: none, until changed again). */
void fd_watch_rw_set(struct fdwatch_rw *w, int events);
void fd_unwatch_rw(struct fdwatch_rw *w);

#endif
