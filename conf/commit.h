/*
 * metalbird -- committing a parsed config: apply, confirm, undo
 */
#ifndef MB_COMMIT_H
#define MB_COMMIT_H

#include "conf/conf.h"
#include "nest/protocol.h"

/* Modules that react to a new config (pools, logging, metrics...) register
 * here; hooks run after the protocols were reconfigured.  old is NULL for the
 * first config. */
typedef void (*config_hook_fn)(struct config *old, struct config *new);
void config_hook_add(config_hook_fn fn);

/* Make c the running config (applying the difference).  With timeout > 0
 * the previous config comes back by itself after that many seconds unless
 * config_confirm() is called. */
void config_commit(struct config *c, int timeout);
int config_confirm(void);	/* 1 if there was something to confirm */
int config_undo(void);		/* 1 if undone, 0 if nothing to undo */
double config_undo_remains(void);	/* seconds until automatic undo, 0 = none */
/* At exit, once the protocols are down: free the running and the undo config. */
void config_cleanup(void);
/* Read and commit a file: on error returns -1 with "FILE:LINE:COL: msg". */
int config_reload(const char *file, int timeout, char *err, size_t errlen);

extern const char *config_main_file;	/* -c FILE */
extern double config_start_time, config_reconf_time;
extern int config_reload_count, config_last_reload_ok;

#endif
