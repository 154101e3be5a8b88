/*
 * metalbird -- protocol kubernetes: API mode (LIST and WATCH)
 *
 * Services, EndpointSlices (discovery.k8s.io/v1) and Nodes come from the API
 * server as kubectl gets them: for each, a LIST gives every object and the
 * list's resourceVersion, then a WATCH from that version streams
 * ADDED/MODIFIED/DELETED events (and BOOKMARKs that only move the version
 * on: allowWatchBookmarks) as newline-separated JSON in a chunked response.
 * A LIST comes in pages of LIST_LIMIT objects (limit and continue), which
 * replace the objects of their kind only once the last page is in.
 * A watch that ends normally (timeoutSeconds) is resumed from the last
 * version; `410 Gone` (as HTTP status or as an ERROR event) means the version
 * is too old, and the resource is listed again.  Errors (refused, dropped,
 * 401) retry with exponential backoff from 0.5 s up to 30 s.
 *
 * Everything is non-blocking: a libcurl multi handle driven by the loop
 * (multi-socket interface: curl says which socket waits for what and when
 * its timer is due; fd_watch_rw and a timer tell it back).  With
 * `write status on`, each Service's status.loadBalancer.ingress is patched
 * to its addresses (application/merge-patch+json on the status subresource)
 * when it differs, and cleared when a Service we serve loses them; and, as
 * MetalLB's controller does, the annotation metallb.io/ip-allocated-from-pool
 * names the pool (a merge patch of the Service's metadata: the status
 * subresource ignores metadata), removed with the address.
 */
#include "proto/kubernetes/watch.h"
#include "proto/kubernetes/decode.h"
#include "proto/kubernetes/k8s.h"
#include "proto/kubernetes/kubeconfig.h"
#include "nest/cli.h"
#include "nest/log.h"
#include "nest/mem.h"
#include "sysdep/unix/loop-curl.h"
#include "sysdep/unix/loop.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BACKOFF_MIN 0.5
#define BACKOFF_MAX 30.0
#define WATCH_TIMEOUT 300	/* timeoutSeconds of a watch */
#define LIST_LIMIT 500		/* objects per LIST page, as client-go's reflectors ask */
#define SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

enum { R_SVC, R_SLICE, R_NODE, R__N };

static const struct {
	const char *path;
	enum k8s_kind kind;
	const char *name;
} res_def[R__N] = {
	{ "/api/v1/services", K8S_SERVICE, "services" },
	{ "/apis/discovery.k8s.io/v1/endpointslices", K8S_SLICE, "endpointslices" },
	{ "/api/v1/nodes", K8S_NODE, "nodes" },
};

enum req_type { REQ_LIST, REQ_WATCH, REQ_PATCH, REQ_ANNOTATE };

/* MetalLB's output annotation (controller/service.go), and its legacy name,
 * which MetalLB removes when it writes the other */
#define POOL_ANN "metallb.io/ip-allocated-from-pool"
#define POOL_ANN_LEGACY "metallb.universe.tf/ip-allocated-from-pool"

struct req {
	struct req *next, *prev;	/* every request in flight */
	struct k8s_watch *w;
	CURL *h;
	enum req_type type;
	int res;			/* R_* (list, watch) */
	char *buf;			/* body (list), unfinished line (watch) */
	size_t len, cap;
	struct curl_slist *hdrs;
	char *key, *body;		/* patch: Service key and body */
	int gone;			/* a watch saw an ERROR 410 event */
	int got_data;
	char errbuf[CURL_ERROR_SIZE];
};

struct resstate {
	struct k8s_watch *w;
	int idx;			/* R_* */
	char *rv;			/* resourceVersion to watch from */
	struct k8s_db pages;		/* a paged LIST in progress */
	int gone_streak;		/* 410s without an event between them */
	int need_list;			/* the retry must LIST, not WATCH */
	int listed;
	struct req *cur;		/* the LIST or WATCH in flight */
	struct timer *retry;
	double backoff;
	unsigned long events, lists, errors;
	char last_error[240];
};

struct k8s_watch {
	struct k8s_proto *p;
	struct k8s_auth auth;
	CURLM *multi;
	struct timer *mtimer;
	struct resstate r[R__N];
	int up;				/* every resource listed once */
	struct k8s_set patched;		/* Service key -> struct patched: the PATCH sent */
	struct k8s_set annotated;	/* Service key -> struct annotated: the pool annotation written */
	struct req reqs;		/* list head of requests in flight */
	struct timer *patch_retry;
	unsigned long patches, patch_errors;
	unsigned long ann_patches, ann_errors;
	int stopping;
};

struct patched {
	char *key, *body;
};

static void patched_free(struct patched *x)
{
	if (!x)
		return;
	free(x->key);
	free(x->body);
	free(x);
}

/* The pool annotation we wrote to one Service (its uid: a Service made
 * again under the same name is another one).  want is the value written
 * (NULL: removed); seen says the watch has since shown it. */
struct annotated {
	char *key, *uid, *want;
	int seen, warned;
};

static void annotated_free(struct annotated *x)
{
	if (!x)
		return;
	free(x->key);
	free(x->uid);
	free(x->want);
	free(x);
}

static void start_list(struct k8s_watch *w, int r);
static void start_watch(struct k8s_watch *w, int r);

/* --- libcurl on the loop --------------------------------------------------------- */

static void check_done(struct k8s_watch *w);

static void sock_ready(int fd, int what, void *data)
{
	struct k8s_watch *w = data;
	int running, mask = ((what & FDW_READ) ? CURL_CSELECT_IN : 0) | ((what & FDW_WRITE) ? CURL_CSELECT_OUT : 0);

	curl_multi_socket_action(w->multi, fd, mask, &running);
	check_done(w);
}

static int sock_cb(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct k8s_watch *w = userp;
	struct fdwatch_rw *fw = socketp;

	if (what == CURL_POLL_REMOVE) {
		fd_unwatch_rw(fw);
		curl_multi_assign(w->multi, s, NULL);
		return 0;
	}
	int ev = (what == CURL_POLL_IN || what == CURL_POLL_INOUT ? FDW_READ : 0) |
		 (what == CURL_POLL_OUT || what == CURL_POLL_INOUT ? FDW_WRITE : 0);
	if (!fw) {
		fw = fd_watch_rw(s, ev, sock_ready, w);
		curl_multi_assign(w->multi, s, fw);
	} else {
		fd_watch_rw_set(fw, ev);
	}
	return 0;
}

static void mtimer_fire(void *data)
{
	struct k8s_watch *w = data;
	int running;

	curl_multi_socket_action(w->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(w);
}

static int timer_cb(CURLM *m, long ms, void *userp)
{
	struct k8s_watch *w = userp;

	if (ms < 0)
		tm_stop(w->mtimer);
	else
		tm_start(w->mtimer, (double)ms / 1000.0);
	return 0;
}

/* --- requests --------------------------------------------------------------------- */

static char *token_now(struct k8s_watch *w)
{
	size_t len;

	if (w->auth.token)
		return xstrdup(w->auth.token);
	if (!w->auth.token_file)
		return NULL;
	/* re-read each time: projected service account tokens rotate */
	char *t = k8s_read_file(w->auth.token_file, &len);
	if (!t)
		return NULL;
	while (len && (t[len - 1] == '\n' || t[len - 1] == '\r' || t[len - 1] == ' '))
		t[--len] = 0;
	return t;
}

static void req_free(struct req *q)
{
	if (!q)
		return;
	q->prev->next = q->next;
	q->next->prev = q->prev;
	if (q->h) {
		curl_multi_remove_handle(q->w->multi, q->h);
		curl_easy_cleanup(q->h);
	}
	curl_slist_free_all(q->hdrs);
	free(q->buf);
	free(q->key);
	free(q->body);
	free(q);
}

static void handle_watch_line(struct req *q, const char *line, size_t len);

static size_t write_cb(char *data, size_t size, size_t n, void *arg)
{
	struct req *q = arg;
	size_t add = size * n;

	if (q->len + add + 1 > q->cap) {
		q->cap = (q->len + add + 1) * 2;
		q->buf = xrealloc(q->buf, q->cap);
	}
	memcpy(q->buf + q->len, data, add);
	q->len += add;
	q->buf[q->len] = 0;
	q->got_data = 1;
	if (q->type != REQ_WATCH)
		return add;
	/* a watch: one JSON event per line */
	size_t start = 0;
	for (size_t i = 0; i < q->len; i++) {
		if (q->buf[i] != '\n')
			continue;
		if (i > start)
			handle_watch_line(q, q->buf + start, i - start);
		start = i + 1;
	}
	memmove(q->buf, q->buf + start, q->len - start);
	q->len -= start;
	return add;
}

static struct req *req_new(struct k8s_watch *w, enum req_type type, int r, const char *url)
{
	struct req *q = xzalloc(sizeof *q);
	char *tok = token_now(w);

	q->w = w;
	q->type = type;
	q->res = r;
	q->next = w->reqs.next;
	q->prev = &w->reqs;
	q->next->prev = q;
	w->reqs.next = q;
	q->h = curl_easy_init();
	curl_easy_setopt(q->h, CURLOPT_URL, url);
	curl_easy_setopt(q->h, CURLOPT_PRIVATE, q);
	curl_easy_setopt(q->h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(q->h, CURLOPT_WRITEDATA, q);
	curl_easy_setopt(q->h, CURLOPT_ERRORBUFFER, q->errbuf);
	curl_easy_setopt(q->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(q->h, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(q->h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(q->h, CURLOPT_USERAGENT, "metalbird/" MB_VERSION);
	if (type != REQ_WATCH)
		curl_easy_setopt(q->h, CURLOPT_TIMEOUT, 60L);
	q->hdrs = curl_slist_append(q->hdrs, "Accept: application/json");
	if (tok) {
		char *h = xmalloc(strlen(tok) + 32);
		sprintf(h, "Authorization: Bearer %s", tok);
		q->hdrs = curl_slist_append(q->hdrs, h);
		free(h);
		free(tok);
	}
	if (w->auth.ca_file)
		curl_easy_setopt(q->h, CURLOPT_CAINFO, w->auth.ca_file);
	if (w->auth.ca_data) {
		struct curl_blob b = { w->auth.ca_data, w->auth.ca_len, CURL_BLOB_COPY };
		curl_easy_setopt(q->h, CURLOPT_CAINFO_BLOB, &b);
	}
	if (w->auth.cert_file)
		curl_easy_setopt(q->h, CURLOPT_SSLCERT, w->auth.cert_file);
	if (w->auth.key_file)
		curl_easy_setopt(q->h, CURLOPT_SSLKEY, w->auth.key_file);
	if (w->auth.cert_data) {
		struct curl_blob b = { w->auth.cert_data, w->auth.cert_len, CURL_BLOB_COPY };
		curl_easy_setopt(q->h, CURLOPT_SSLCERT_BLOB, &b);
		curl_easy_setopt(q->h, CURLOPT_SSLCERTTYPE, "PEM");
	}
	if (w->auth.key_data) {
		struct curl_blob b = { w->auth.key_data, w->auth.key_len, CURL_BLOB_COPY };
		curl_easy_setopt(q->h, CURLOPT_SSLKEY_BLOB, &b);
		curl_easy_setopt(q->h, CURLOPT_SSLKEYTYPE, "PEM");
	}
	if (w->auth.insecure) {
		curl_easy_setopt(q->h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(q->h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	return q;
}

static void req_go(struct req *q)
{
	curl_easy_setopt(q->h, CURLOPT_HTTPHEADER, q->hdrs);
	curl_multi_add_handle(q->w->multi, q->h);
}

/* --- LIST and WATCH ------------------------------------------------------------------ */

static void res_error(struct k8s_watch *w, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void res_error(struct k8s_watch *w, int r, const char *fmt, ...)
{
	struct resstate *rs = &w->r[r];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rs->last_error, sizeof rs->last_error, fmt, ap);
	va_end(ap);
	rs->errors++;
	rs->backoff = rs->backoff ? rs->backoff * 2 : BACKOFF_MIN;
	if (rs->backoff > BACKOFF_MAX)
		rs->backoff = BACKOFF_MAX;
	proto_log(&w->p->p, L_WARN, "%s: %s; retrying in %.1f s", res_def[r].name, rs->last_error, rs->backoff);
	proto_set_error(&w->p->p, "%s: %s", res_def[r].name, rs->last_error);
	tm_start(rs->retry, rs->backoff);
}

static void retry_fire(void *data)
{
	struct resstate *rs = data;

	if (rs->listed && rs->rv && !rs->need_list)
		start_watch(rs->w, rs->idx);
	else
		start_list(rs->w, rs->idx);
}

static void url_of(struct k8s_watch *w, int r, const char *query, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", w->auth.server, res_def[r].path, query);
}

/* One page of a LIST: the first (cont NULL) or the one a continue token
 * names.  The pages gather in rs->pages until the last one. */
static void list_page(struct k8s_watch *w, int r, const char *cont)
{
	char url[2048], q[1200];

	if (cont) {
		char *c = curl_easy_escape(NULL, cont, 0);
		snprintf(q, sizeof q, "?limit=%d&continue=%s", LIST_LIMIT, c);
		curl_free(c);
	} else {
		snprintf(q, sizeof q, "?limit=%d", LIST_LIMIT);
	}
	url_of(w, r, q, url, sizeof url);
	w->r[r].cur = req_new(w, REQ_LIST, r, url);
	proto_trace(&w->p->p, D_EVENTS, "LIST %s", url);
	req_go(w->r[r].cur);
}

static void start_list(struct k8s_watch *w, int r)
{
	k8s_db_free(&w->r[r].pages);
	w->r[r].lists++;
	list_page(w, r, NULL);
}

static void start_watch(struct k8s_watch *w, int r)
{
	char url[2048], q[600];
	char *rv = curl_easy_escape(NULL, w->r[r].rv, 0);

	snprintf(q, sizeof q, "?watch=1&resourceVersion=%s&allowWatchBookmarks=true&timeoutSeconds=%d", rv,
		 WATCH_TIMEOUT);
	curl_free(rv);
	url_of(w, r, q, url, sizeof url);
	w->r[r].cur = req_new(w, REQ_WATCH, r, url);
	proto_trace(&w->p->p, D_EVENTS, "WATCH %s", url);
	req_go(w->r[r].cur);
}

static struct k8s_set *set_of(struct k8s_db *db, enum k8s_kind k)
{
	return k == K8S_SERVICE ? &db->services : k == K8S_SLICE ? &db->slices : &db->nodes;
}

static void free_obj(enum k8s_kind k, void *o)
{
	if (k == K8S_SERVICE)
		svc_free(o);
	else if (k == K8S_SLICE)
		epslice_free(o);
	else
		k8s_node_free(o);
}

/* A relist replaces every object of the kind. */
static void replace_kind(struct k8s_db *db, enum k8s_kind k, struct k8s_db *from)
{
	struct k8s_set *dst = set_of(db, k), *src = set_of(from, k);

	for (int i = 0; i < dst->n; i++)
		free_obj(k, dst->obj[i]);
	free(dst->obj);
	free(dst->keys);
	*dst = *src;
	memset(src, 0, sizeof *src);
}

static void became_up(struct k8s_watch *w)
{
	for (int r = 0; r < R__N; r++)
		if (!w->r[r].listed)
			return;
	if (!w->up) {
		w->up = 1;
		w->p->have_state = 1;
		proto_log(&w->p->p, L_INFO, "listed %d services, %d endpoint slices, %d nodes from %s",
			  w->p->db.services.n, w->p->db.slices.n, w->p->db.nodes.n, w->auth.server);
		proto_notify_state(&w->p->p, PS_UP);
	}
	k8s_state_changed(w->p, 1);
}

static void list_done(struct k8s_watch *w, struct req *q, long code)
{
	int r = q->res;
	struct resstate *rs = &w->r[r];
	json_error_t je;
	char err[600], where[64];

	if (code != 200) {
		res_error(w, r, "LIST answered %ld%s", code,
			  code == 401 ? " Unauthorized (check the token)" : code == 403 ? " Forbidden (check RBAC)" : "");
		return;
	}
	json_t *doc = json_loadb(q->buf ? q->buf : "", q->len, 0, &je);
	if (!doc) {
		res_error(w, r, "LIST: bad JSON at line %d: %s", je.line, je.text);
		return;
	}
	json_t *rv = json_object_get(json_object_get(doc, "metadata"), "resourceVersion");
	if (!json_is_string(rv) || !*json_string_value(rv)) {
		json_decref(doc);
		res_error(w, r, "LIST: no metadata.resourceVersion");
		return;
	}
	snprintf(where, sizeof where, "%s LIST", res_def[r].name);
	if (k8s_decode_list_json(doc, res_def[r].kind, where, &rs->pages, err, sizeof err)) {
		k8s_db_free(&rs->pages);
		json_decref(doc);
		res_error(w, r, "%s", err);
		return;
	}
	const char *cont = json_string_value(json_object_get(json_object_get(doc, "metadata"), "continue"));
	if (cont && *cont) {
		list_page(w, r, cont);
		json_decref(doc);
		return;
	}
	free(rs->rv);
	rs->rv = xstrdup(json_string_value(rv));
	json_decref(doc);
	/* the last page: the whole list replaces what we had of this kind */
	replace_kind(&w->p->db, res_def[r].kind, &rs->pages);
	k8s_db_free(&rs->pages);
	rs->listed = 1;
	rs->need_list = 0;
	rs->backoff = 0;
	rs->last_error[0] = 0;
	became_up(w);
	start_watch(w, r);
}

static void handle_watch_line(struct req *q, const char *line, size_t len)
{
	struct k8s_watch *w = q->w;
	struct resstate *rs = &w->r[q->res];
	enum k8s_kind kind = res_def[q->res].kind;
	json_error_t je;
	char err[600], where[64];

	json_t *ev = json_loadb(line, len, 0, &je);
	if (!ev) {
		proto_log(&w->p->p, L_REMOTE, "%s watch: bad JSON event: %s", res_def[q->res].name, je.text);
		return;
	}
	const char *type = json_string_value(json_object_get(ev, "type"));
	json_t *obj = json_object_get(ev, "object");
	if (!type || !json_is_object(obj)) {
		proto_log(&w->p->p, L_REMOTE, "%s watch: event without type or object", res_def[q->res].name);
		goto out;
	}
	if (!strcmp(type, "ERROR")) {
		/* a Status object; 410 Gone: our version is too old */
		json_int_t code = json_integer_value(json_object_get(obj, "code"));
		if (code == 410)
			q->gone = 1;
		else
			proto_log(&w->p->p, L_REMOTE, "%s watch: ERROR %lld: %s", res_def[q->res].name, (long long)code,
				  json_string_value(json_object_get(obj, "message")) ?: "");
		goto out;
	}
	const char *rv = json_string_value(json_object_get(json_object_get(obj, "metadata"), "resourceVersion"));
	if (rv && *rv) {
		free(rs->rv);
		rs->rv = xstrdup(rv);
	}
	rs->events++;
	rs->gone_streak = 0;
	if (!strcmp(type, "BOOKMARK"))
		goto out;
	void *o;
	snprintf(where, sizeof where, "%s watch", res_def[q->res].name);
	if (k8s_decode_object(obj, kind, where, &o, err, sizeof err)) {
		proto_log(&w->p->p, L_REMOTE, "%s; event ignored", err);
		goto out;
	}
	if (!strcmp(type, "ADDED") || !strcmp(type, "MODIFIED")) {
		k8s_event(w->p, kind, o, 0);
	} else if (!strcmp(type, "DELETED")) {
		k8s_event(w->p, kind, o, 1);
	} else {
		free_obj(kind, o);
		goto out;
	}
	/* before every kind is listed, the first sync comes with the last list */
	if (w->up)
		k8s_sync_soon(w->p);
out:
	json_decref(ev);
}

static void watch_done(struct k8s_watch *w, struct req *q, long code, CURLcode rc)
{
	int r = q->res;
	struct resstate *rs = &w->r[r];

	if (q->gone || code == 410) {
		proto_log(&w->p->p, L_INFO, "%s: resourceVersion %s is gone (410): listing again", res_def[r].name,
			  rs->rv ? rs->rv : "");
		/* the objects stay until the new list replaces them; a server
		 * that says 410 again to a fresh list's version gets backoff,
		 * not a tight loop */
		if (rs->gone_streak++) {
			rs->need_list = 1;
			res_error(w, r, "410 Gone again right after a LIST");
			return;
		}
		start_list(w, r);
		return;
	}
	if (rc != CURLE_OK) {
		res_error(w, r, "watch: %s", q->errbuf[0] ? q->errbuf : curl_easy_strerror(rc));
		return;
	}
	if (code != 200) {
		res_error(w, r, "WATCH answered %ld%s", code, code == 401 ? " Unauthorized (check the token)" : "");
		return;
	}
	/* the server ended the watch (timeoutSeconds): carry on from where we are */
	rs->backoff = 0;
	rs->gone_streak = 0;
	start_watch(w, r);
}

/* --- status ------------------------------------------------------------------------ */

static void patch_done(struct k8s_watch *w, struct req *q, long code, CURLcode rc)
{
	int ann = q->type == REQ_ANNOTATE;

	if (rc == CURLE_OK && code >= 200 && code < 300) {
		proto_trace(&w->p->p, D_EVENTS, "%s of %s written: %s", ann ? "annotation" : "status", q->key, q->body);
		return;
	}
	if (ann)
		w->ann_errors++;
	else
		w->patch_errors++;
	proto_log(&w->p->p, L_WARN, "cannot write the %s of %s: %s", ann ? "pool annotation" : "status", q->key,
		  rc != CURLE_OK ? (q->errbuf[0] ? q->errbuf : curl_easy_strerror(rc)) : "HTTP error");
	if (rc == CURLE_OK)
		proto_log(&w->p->p, L_WARN, "  HTTP %ld: %.200s", code, q->buf ? q->buf : "");
	/* forget it, so that the next look at this Service sends it again */
	if (ann)
		annotated_free(k8s_set_del(&w->annotated, q->key));
	else
		patched_free(k8s_set_del(&w->patched, q->key));
	k8s_service_changed(w->p, q->key);
	tm_start(w->patch_retry, 5);
}

static void patch_retry_fire(void *data)
{
	struct k8s_watch *w = data;
	k8s_sync_soon(w->p);
}

/* RFC 7386: null removes the member, so a Service that lost its addresses
 * is left with no ingress at all, as MetalLB leaves it. */
static char *status_body(const ip_addr *a, int n)
{
	json_t *ing = n ? json_array() : json_null();
	char b[IP_STRLEN];

	for (int i = 0; i < n; i++)
		json_array_append_new(ing, json_pack("{s:s}", "ip", ip_ntop(a[i], b)));
	json_t *doc = json_pack("{s:{s:{s:o}}}", "status", "loadBalancer", "ingress", ing);
	char *s = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(doc);
	return s;
}

static int same_set(const ip_addr *a, int na, const ip_addr *b, int nb)
{
	if (na != nb)
		return 0;
	for (int i = 0; i < na; i++) {
		int f = 0;
		for (int j = 0; j < nb; j++)
			f |= ip_equal(a[i], b[j]);
		if (!f)
			return 0;
	}
	return 1;
}

static int str_same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* A merge patch (RFC 7386) of a Service: the object, or its status. */
static void send_patch(struct k8s_watch *w, const struct service *s, enum req_type type, char *body)
{
	char url[2048];
	char *ns = curl_easy_escape(NULL, s->namespace, 0), *nm = curl_easy_escape(NULL, s->name, 0);

	snprintf(url, sizeof url, "%s/api/v1/namespaces/%s/services/%s%s", w->auth.server, ns, nm,
		 type == REQ_PATCH ? "/status" : "");
	curl_free(ns);
	curl_free(nm);
	struct req *q = req_new(w, type, -1, url);
	q->key = xstrdup(s->key);
	q->body = body;
	q->hdrs = curl_slist_append(q->hdrs, "Content-Type: application/merge-patch+json");
	curl_easy_setopt(q->h, CURLOPT_CUSTOMREQUEST, "PATCH");
	curl_easy_setopt(q->h, CURLOPT_POSTFIELDS, q->body);
	curl_easy_setopt(q->h, CURLOPT_POSTFIELDSIZE, (long)strlen(q->body));
	proto_trace(&w->p->p, D_EVENTS, "PATCH %s %s", url, body);
	req_go(q);
}

static void status_one(struct k8s_watch *w, const struct service *s)
{
	if (same_set(s->addrs, s->naddrs, s->ingress, s->ningress)) {
		patched_free(k8s_set_del(&w->patched, s->key));
		return;
	}
	char *body = status_body(s->addrs, s->naddrs);
	const struct patched *sent = k8s_set_get(&w->patched, s->key);
	if (sent && !strcmp(sent->body, body)) {
		free(body);	/* sent; the watch will show it */
		return;
	}
	struct patched *x = xzalloc(sizeof *x);
	x->key = xstrdup(s->key);
	x->body = xstrdup(body);
	patched_free(k8s_set_put(&w->patched, x->key, x));
	w->patches++;
	send_patch(w, s, REQ_PATCH, body);
}

/*
 * The pool annotation of one Service: want is the pool (NULL: none).
 * Written only when the Service shows another value, and once per value
 * we want: when someone else changes it after the watch has shown ours,
 * theirs stays (a warning says so) until our allocation changes or the
 * daemon starts again, so two writers never take turns forever.
 */
static void annotate_one(struct k8s_watch *w, const struct service *s, const char *want)
{
	const char *cur = kv_get(s->annotations, POOL_ANN), *legacy = kv_get(s->annotations, POOL_ANN_LEGACY);
	struct annotated *a = k8s_set_get(&w->annotated, s->key);
	int in_sync = str_same(cur, want) && !legacy;

	if (a && !str_same(a->uid, s->uid)) {
		annotated_free(k8s_set_del(&w->annotated, s->key));
		a = NULL;
	}
	if (a && str_same(a->want, want)) {
		if (in_sync) {
			a->seen = 1;
		} else if (a->seen && !a->warned) {
			proto_log(&w->p->p, L_WARN, "%s: annotation %s was changed to %s%s%s by someone else; "
				  "left as it is until the allocation changes", s->key, POOL_ANN, cur ? "\"" : "",
				  cur ? cur : "nothing", cur ? "\"" : "");
			a->warned = 1;
		}
		return;	/* written (or on its way): never again for this value */
	}
	if (in_sync) {
		annotated_free(k8s_set_del(&w->annotated, s->key));
		return;
	}
	/* MetalLB sets the stable name and drops the legacy one */
	json_t *anns = json_object();
	json_object_set_new(anns, POOL_ANN, want ? json_string(want) : json_null());
	if (legacy)
		json_object_set_new(anns, POOL_ANN_LEGACY, json_null());
	json_t *doc = json_pack("{s:{s:o}}", "metadata", "annotations", anns);
	char *body = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(doc);
	a = xzalloc(sizeof *a);
	a->key = xstrdup(s->key);
	a->uid = s->uid ? xstrdup(s->uid) : NULL;
	a->want = want ? xstrdup(want) : NULL;
	annotated_free(k8s_set_put(&w->annotated, a->key, a));
	w->ann_patches++;
	send_patch(w, s, REQ_ANNOTATE, body);
}

/* Is s of our class but no LoadBalancer (any more)?  MetalLB clears what
 * it wrote on such a Service; one of another class is another's. */
static int ours_not_lb(const struct service *s, const char *lb_class)
{
	return !s->is_lb && (lb_class ? s->lb_class && !strcmp(s->lb_class, lb_class) : !s->lb_class);
}

static void service_write(struct k8s_watch *w, const char *key)
{
	const struct k8s_config *kc = (const struct k8s_config *)w->p->p.cf;
	const struct service *s = k8s_set_get(&w->p->db.services, key);

	if (s && s->served) {
		status_one(w, s);
		annotate_one(w, s, s->naddrs ? s->pool : NULL);
		return;
	}
	/* gone or no longer ours: forget what we sent */
	patched_free(k8s_set_del(&w->patched, key));
	if (s && ours_not_lb(s, kc->lb_class) &&
	    (kv_get(s->annotations, POOL_ANN) || kv_get(s->annotations, POOL_ANN_LEGACY)))
		annotate_one(w, s, NULL);
	else
		annotated_free(k8s_set_del(&w->annotated, key));
}

void k8s_watch_status_changed(struct k8s_watch *w, const char *const *keys, int nkeys)
{
	const struct k8s_config *kc = (const struct k8s_config *)w->p->p.cf;

	if (!w->up || !kc->write_status)
		return;
	if (keys) {
		for (int i = 0; i < nkeys; i++)
			service_write(w, keys[i]);
		return;
	}
	for (int i = 0; i < w->p->db.services.n; i++)
		service_write(w, w->p->db.services.keys[i]);
	/* forget what we sent to Services that are gone */
	for (int i = w->patched.n - 1; i >= 0; i--)
		if (!k8s_set_get(&w->p->db.services, w->patched.keys[i]))
			patched_free(k8s_set_del(&w->patched, w->patched.keys[i]));
	for (int i = w->annotated.n - 1; i >= 0; i--)
		if (!k8s_set_get(&w->p->db.services, w->annotated.keys[i]))
			annotated_free(k8s_set_del(&w->annotated, w->annotated.keys[i]));
}

/* --- completion ------------------------------------------------------------------------ */

static void check_done(struct k8s_watch *w)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(w->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct req *q;
		long code = 0;
		CURLcode rc = m->data.result;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&q);
		curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &code);
		if ((q->type == REQ_LIST || q->type == REQ_WATCH) && w->r[q->res].cur == q)
			w->r[q->res].cur = NULL;
		if (q->type == REQ_LIST) {
			if (rc != CURLE_OK)
				res_error(w, q->res, "LIST: %s", q->errbuf[0] ? q->errbuf : curl_easy_strerror(rc));
			else
				list_done(w, q, code);
		} else if (q->type == REQ_WATCH) {
			watch_done(w, q, code, rc);
		} else {	/* REQ_PATCH, REQ_ANNOTATE */
			patch_done(w, q, code, rc);
		}
		req_free(q);
	}
}

/* --- start and stop ------------------------------------------------------------------ */

static int auth_from_config(struct k8s_watch *w, const struct k8s_config *kc, char *err, size_t errlen)
{
	if (kc->kubeconfig)
		return k8s_kubeconfig_load(kc->kubeconfig, &w->auth, err, errlen);
	if (kc->api_server) {
		w->auth.server = xstrdup(kc->api_server);
		size_t l = strlen(w->auth.server);
		while (l && w->auth.server[l - 1] == '/')
			w->auth.server[--l] = 0;
		w->auth.token_file = kc->token_file ? xstrdup(kc->token_file) : NULL;
		w->auth.ca_file = kc->ca_file ? xstrdup(kc->ca_file) : NULL;
		return 0;
	}
	/* in-cluster: the service account of the pod we run in */
	const char *host = getenv("KUBERNETES_SERVICE_HOST"), *port = getenv("KUBERNETES_SERVICE_PORT");
	if (!host || !*host) {
		snprintf(err, errlen, "no source: give state file, kubeconfig or api server "
			 "(or run in a pod, with $KUBERNETES_SERVICE_HOST set)");
		return -1;
	}
	char url[300];
	snprintf(url, sizeof url, strchr(host, ':') ? "https://[%s]:%s" : "https://%s:%s", host,
		 port && *port ? port : "443");
	w->auth.server = xstrdup(url);
	w->auth.token_file = xstrdup(SA_DIR "/token");
	w->auth.ca_file = xstrdup(SA_DIR "/ca.crt");
	return 0;
}

struct k8s_watch *k8s_watch_start(struct k8s_proto *p, char *err, size_t errlen)
{
	static int curl_ready;
	struct k8s_watch *w = xzalloc(sizeof *w);

	if (!curl_ready) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		curl_ready = 1;
	}
	w->p = p;
	w->reqs.next = w->reqs.prev = &w->reqs;
	if (auth_from_config(w, (const struct k8s_config *)p->p.cf, err, errlen)) {
		free(w);
		return NULL;
	}
	w->multi = curl_multi_init();
	w->mtimer = tm_new(mtimer_fire, w);
	w->patch_retry = tm_new(patch_retry_fire, w);
	curl_multi_setopt(w->multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
	curl_multi_setopt(w->multi, CURLMOPT_SOCKETDATA, w);
	curl_multi_setopt(w->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(w->multi, CURLMOPT_TIMERDATA, w);
	for (int r = 0; r < R__N; r++) {
		w->r[r].w = w;
		w->r[r].idx = r;
		w->r[r].retry = tm_new(retry_fire, &w->r[r]);
		start_list(w, r);
	}
	return w;
}

void k8s_watch_stop(struct k8s_watch *w)
{
	if (!w)
		return;
	w->stopping = 1;
	/* lists, watches and patches in flight are dropped */
	while (w->reqs.next != &w->reqs)
		req_free(w->reqs.next);
	for (int r = 0; r < R__N; r++) {
		tm_free(w->r[r].retry);
		free(w->r[r].rv);
		k8s_db_free(&w->r[r].pages);
	}
	curl_multi_cleanup(w->multi);
	tm_free(w->mtimer);
	tm_free(w->patch_retry);
	for (int i = 0; i < w->patched.n; i++)
		patched_free(w->patched.obj[i]);
	free(w->patched.obj);
	free(w->patched.keys);
	for (int i = 0; i < w->annotated.n; i++)
		annotated_free(w->annotated.obj[i]);
	free(w->annotated.obj);
	free(w->annotated.keys);
	k8s_auth_free(&w->auth);
	free(w);
}

void k8s_watch_show(struct k8s_watch *w, struct cli *c)
{
	if (!w)
		return;
	cli_msg(c, -RC_PROTO_DETAILS, "  API server:     %s", w->auth.server);
	for (int r = 0; r < R__N; r++) {
		const struct resstate *rs = &w->r[r];
		const char *st = rs->cur ? (rs->cur->type == REQ_LIST ? "listing" : "watching")
			       : tm_active(rs->retry) ? "waiting to retry" : "idle";
		cli_msg(c, -RC_PROTO_DETAILS, "  %-15s %s, resourceVersion %s, %lu events, %lu lists, %lu errors%s%s",
			res_def[r].name, st, rs->rv ? rs->rv : "-", rs->events, rs->lists, rs->errors,
			rs->last_error[0] ? "; last: " : "", rs->last_error);
	}
	const struct k8s_config *kc = (const struct k8s_config *)w->p->p.cf;
	if (kc->write_status) {
		cli_msg(c, -RC_PROTO_DETAILS, "  Status writes:  %lu (%lu failed)", w->patches, w->patch_errors);
		cli_msg(c, -RC_PROTO_DETAILS, "  Pool annotation writes: %lu (%lu failed)", w->ann_patches, w->ann_errors);
	}
}
