/*
 * metalbird -- the control socket
 */
#ifndef MB_CTL_H
#define MB_CTL_H

#include <stddef.h>

int ctl_open(const char *path, char *err, size_t errlen);
void ctl_close(void);		/* at once: queued replies are dropped */
/* Stop accepting (the socket file goes), let every client receive what was
 * queued for it, for at most max seconds, then close them all and call done. */
void ctl_drain(double max, void (*done)(void));
int ctl_clients(void);

#endif
