/*
 * metalbird -- protocol kubernetes: watching the state file
 *
 * In state-file mode the Kubernetes objects come from a file that someone
 * else rewrites (`kubectl get ... -o json > tmp && mv tmp file`, an editor,
 * a test).  inotify watches the file's directory, not the file: a rename
 * over the file replaces its inode, which a watch on the file itself would
 * lose, and a file that does not exist yet can only be seen appearing from
 * its directory.  We react to IN_CLOSE_WRITE (written in place) and
 * IN_MOVED_TO (renamed into place), never to IN_MODIFY, so a half-written
 * file is not read.
 */
#include "proto/kubernetes/statefile.h"
#include "nest/mem.h"
#include "sysdep/unix/loop.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

struct k8s_statefile {
	int fd;				/* inotify */
	int wd;				/* watch of the directory */
	char *dir, *base;		/* path split */
	struct fdwatch *w;
	void (*changed)(void *data);
	void *data;
};

static void sf_ready(int fd, void *data)
{
	struct k8s_statefile *sf = data;
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	int hit = 0;
	ssize_t n;

	/* drain everything queued: several events make one re-read */
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;
			if (ev->len && !strcmp(ev->name, sf->base) && (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)))
				hit = 1;
			p += sizeof *ev + ev->len;
		}
	}
	if (hit)
		sf->changed(sf->data);
}

struct k8s_statefile *k8s_sf_open(const char *path, void (*changed)(void *data), void *data,
				  char *err, size_t errlen)
{
	struct k8s_statefile *sf = xzalloc(sizeof *sf);
	const char *slash = strrchr(path, '/');

	sf->dir = slash ? xstrdup(path) : xstrdup(".");
	if (slash) {
		sf->dir[slash - path] = 0;
		if (!sf->dir[0])
			strcpy(sf->dir, "/");
	}
	sf->base = xstrdup(slash ? slash + 1 : path);
	sf->changed = changed;
	sf->data = data;
	sf->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (sf->fd < 0) {
		snprintf(err, errlen, "inotify: %s", strerror(errno));
		goto fail;
	}
	sf->wd = inotify_add_watch(sf->fd, sf->dir, IN_CLOSE_WRITE | IN_MOVED_TO);
	if (sf->wd < 0) {
		snprintf(err, errlen, "cannot watch directory %s: %s", sf->dir, strerror(errno));
		goto fail;
	}
	sf->w = fd_watch(sf->fd, sf_ready, sf);
	return sf;
fail:
	if (sf->fd >= 0)
		close(sf->fd);
	free(sf->dir);
	free(sf->base);
	free(sf);
	return NULL;
}

void k8s_sf_close(struct k8s_statefile *sf)
{
	if (!sf)
		return;
	fd_unwatch(sf->w);
	close(sf->fd);
	free(sf->dir);
	free(sf->base);
	free(sf);
}
