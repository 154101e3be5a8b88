/*
 * metalbird -- the metrics listener (`metrics listen ADDR port N`)
 *
 * libevent's HTTP server answers GET /metrics with the registry's page in
 * the Prometheus text format.  The listener follows the config: a reload
 * that changes the address or port moves it, one that removes it closes it.
 */
#include "nest/metrics.h"
#include "conf/commit.h"
#include "nest/log.h"
#include "sysdep/unix/loop.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <stdlib.h>
#include <string.h>

static struct evhttp *http;
static ip_addr cur_addr;
static int cur_port;

static void handle(struct evhttp_request *req, void *arg)
{
	const char *uri = evhttp_request_get_uri(req);

	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET || !uri ||
	    (strcmp(uri, "/metrics") && strncmp(uri, "/metrics?", 9))) {
		evhttp_send_error(req, HTTP_NOTFOUND, "only GET /metrics is served here");
		return;
	}
	struct mbuf b = { 0 };
	metrics_collect(&b);
	struct evbuffer *out = evbuffer_new();
	evbuffer_add(out, b.buf ? b.buf : "", b.len);
	free(b.buf);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
			  "text/plain; version=0.0.4; charset=utf-8");
	evhttp_send_reply(req, HTTP_OK, "OK", out);
	evbuffer_free(out);
}

static void metrics_reconfigure(struct config *old, struct config *c)
{
	char a[IP_STRLEN];

	if (http && c->metrics_port == cur_port && ip_equal(c->metrics_addr, cur_addr))
		return;
	if (http) {
		evhttp_free(http);
		http = NULL;
		cur_port = 0;
	}
	if (!c->metrics_port)
		return;
	http = evhttp_new(loop_base());
	evhttp_set_gencb(http, handle, NULL);
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET);
	/* a scraper that connects and says nothing must not hold a
	 * connection for libevent's default of 50 s */
	evhttp_set_timeout(http, 10);
	if (evhttp_bind_socket(http, ip_ntop(c->metrics_addr, a), (ev_uint16_t)c->metrics_port) < 0) {
		log_msg(L_ERR, "metrics: cannot listen on %s port %d", a, c->metrics_port);
		evhttp_free(http);
		http = NULL;
		return;
	}
	cur_addr = c->metrics_addr;
	cur_port = c->metrics_port;
	log_msg(L_INFO, "metrics: serving /metrics on %s port %d", a, c->metrics_port);
}

void metrics_init(void);
void metrics_init(void)
{
	config_hook_add(metrics_reconfigure);
}
