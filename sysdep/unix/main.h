/*
 * metalbird -- what the daemon's main offers to the rest
 */
#ifndef MB_MAIN_H
#define MB_MAIN_H

#include "nest/ip.h"

extern ip_addr daemon_router_id;	/* from the config, or the node's lowest IPv4 address */
extern const char *daemon_node_name;	/* from the config, $NODE_NAME, or the hostname */
extern int opt_graceful_restart;	/* -R */
extern int daemon_crashed;		/* the last run did not stop cleanly (state dir marker) */

void daemon_shutdown(void);
/* Initialize every module and protocol class (registers their commands). */
void daemon_init_modules(void);

#endif
