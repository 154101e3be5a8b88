/*
 * metalbird -- the control socket
 */
#ifndef MB_CTL_H
#define MB_CTL_H

#include <stddef.h>

int ctl_open(const char *path, char *err, size_t errlen);
void ctl_close(void);
int ctl_clients(void);

#endif
