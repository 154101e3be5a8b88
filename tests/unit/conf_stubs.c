/*
 * metalbird -- stand-ins for what sysdep/unix/main.c exports
 *
 * Unit tests and the config fuzzer link the daemon's modules without its
 * main(); these are the few symbols the modules take from it.
 */
#include "sysdep/unix/main.h"

ip_addr daemon_router_id;
const char *daemon_node_name = "test-node";
int opt_graceful_restart;
int daemon_crashed;

void daemon_shutdown(void)
{
}

void daemon_init_modules(void)
{
}
