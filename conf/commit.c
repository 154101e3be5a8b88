/*
 * metalbird -- committing a parsed config
 *
 * The running config changes only here.  One level of undo is kept, as in
 * BIRD: after a commit the previous config stays in memory until the next
 * commit or a confirm, and `configure undo` (or the timeout of
 * `configure timeout N`) commits it back.
 */
#include "conf/commit.h"
#include "nest/log.h"
#include "sysdep/unix/loop.h"

#include <stdlib.h>

#define MAX_HOOKS 16
static config_hook_fn hooks[MAX_HOOKS];
static int nhooks;
static struct config *old_config;	/* for undo */
static struct timer *undo_timer;

const char *config_main_file;
double config_start_time, config_reconf_time;
int config_reload_count, config_last_reload_ok = 1;

void config_hook_add(config_hook_fn fn)
{
	if (nhooks < MAX_HOOKS)
		hooks[nhooks++] = fn;
}

static void apply(struct config *c)
{
	struct config *prev = config;
	struct reconf_plan plan;

	c->load_time = now_real();
	if (!prev) {
		config = c;
		proto_start_all(c);
	} else {
		proto_plan(prev, c, &plan);
		config = c;
		proto_apply(c, &plan);
		proto_plan_free(&plan);
		config_reconf_time = c->load_time;
	}
	for (int i = 0; i < nhooks; i++)
		hooks[i](prev, c);
}

static void undo_timeout(void *data)
{
	log_msg(L_INFO, "Configuration not confirmed in time: undoing the last reconfiguration");
	config_undo();
}

void config_commit(struct config *c, int timeout)
{
	struct config *prev = config;

	apply(c);
	if (old_config && old_config != prev)
		config_free(old_config);
	old_config = prev;
	if (!undo_timer)
		undo_timer = tm_new(undo_timeout, NULL);
	tm_stop(undo_timer);
	if (timeout > 0 && prev)
		tm_start(undo_timer, timeout);
}

int config_confirm(void)
{
	if (!undo_timer || !tm_active(undo_timer))
		return 0;
	tm_stop(undo_timer);
	return 1;
}

int config_undo(void)
{
	if (!old_config)
		return 0;
	struct config *back = old_config, *cur = config;

	old_config = NULL;
	if (undo_timer)
		tm_stop(undo_timer);
	apply(back);
	/* the undone config is kept so that the undo itself can be undone */
	old_config = cur;
	return 1;
}

void config_cleanup(void)
{
	tm_free(undo_timer);
	undo_timer = NULL;
	if (old_config != config)
		config_free(old_config);
	old_config = NULL;
	config_free(config);
	config = NULL;
}

double config_undo_remains(void)
{
	return undo_timer && tm_active(undo_timer) ? tm_remains(undo_timer) : 0;
}

int config_reload(const char *file, int timeout, char *err, size_t errlen)
{
	struct config *c = config_parse(file, err, errlen);

	config_reload_count++;
	if (!c) {
		config_last_reload_ok = 0;
		log_msg(L_ERR, "Reconfiguration failed, the running configuration stays: %s", err);
		return -1;
	}
	config_last_reload_ok = 1;
	log_msg(L_INFO, "Reconfiguring from %s", file);
	config_commit(c, timeout);
	return 0;
}
