/*
 * metalbird -- protocol kubernetes: decoding Kubernetes JSON
 *
 * Services, EndpointSlices (discovery.k8s.io/v1) and Nodes, from a state
 * file or from the API server, into the Service model (nest/service.h).
 * JSON is outside input: every field is read through one of the typed
 * getters below, which check the type and say which field was wrong, so an
 * error names the file, the object and the field ("services.json: Service
 * default/web: spec.ports[1].port: not an integer").  A field that is absent
 * takes its Kubernetes default; a field present with the wrong type is an
 * error, and so is a Service or Node without a name.
 */
#include "proto/kubernetes/decode.h"
#include "nest/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct dctx {
	const char *file;	/* where the document came from */
	const char *kind;	/* "Service" */
	char obj[320];		/* "default/web", or "#3" before the name is known */
	char *err;
	size_t errlen;
};

static int fail(struct dctx *d, const char *field, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct dctx *d, const char *field, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(d->err, d->errlen, "%s: %s %s: %s: %s", d->file, d->kind, d->obj, field, msg);
	return -1;
}

static const char *jtype(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE: case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

/* Member key of o, of the wanted type or absent (null counts as absent). */
static int get(struct dctx *d, const json_t *o, const char *key, const char *path, json_type t, json_t **out)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (json_typeof(v) != t && !(t == JSON_TRUE && json_is_boolean(v))) {
		static const char *want[] = { [JSON_OBJECT] = "an object", [JSON_ARRAY] = "an array",
					      [JSON_STRING] = "a string", [JSON_INTEGER] = "an integer",
					      [JSON_TRUE] = "a boolean" };
		return fail(d, path, "expected %s, found %s", want[t], jtype(v));
	}
	*out = v;
	return 0;
}

static int get_str(struct dctx *d, const json_t *o, const char *key, const char *path, const char **out)
{
	json_t *v;

	*out = NULL;
	if (get(d, o, key, path, JSON_STRING, &v))
		return -1;
	if (v)
		*out = json_string_value(v);
	return 0;
}

static int get_obj(struct dctx *d, const json_t *o, const char *key, const char *path, json_t **out)
{
	return get(d, o, key, path, JSON_OBJECT, out);
}

static int get_arr(struct dctx *d, const json_t *o, const char *key, const char *path, json_t **out)
{
	return get(d, o, key, path, JSON_ARRAY, out);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* labels / annotations: an object of strings */
static int get_kv(struct dctx *d, const json_t *o, const char *key, const char *path, struct kv_list **out)
{
	json_t *m, *v;
	const char *k;
	int i = 0;

	*out = NULL;	/* the caller frees it, also on an error */
	if (get_obj(d, o, key, path, &m))
		return -1;
	*out = kv_list_new(m ? (int)json_object_size(m) : 0);
	if (!m)
		return 0;
	json_object_foreach(m, k, v) {
		if (!json_is_string(v)) {
			char p[256];
			snprintf(p, sizeof p, "%s[\"%s\"]", path, k);
			(*out)->n = i;
			return fail(d, p, "expected a string, found %s", jtype(v));
		}
		(*out)->kv[i].key = xstrdup(k);
		(*out)->kv[i].value = xstrdup(json_string_value(v));
		i++;
	}
	kv_list_sort(*out);
	return 0;
}

/* metadata: name (required), namespace (required when namespaced) */
static int get_meta(struct dctx *d, const json_t *o, int namespaced, const char **ns, const char **name,
		    json_t **meta)
{
	if (get_obj(d, o, "metadata", "metadata", meta))
		return -1;
	if (!*meta)
		return fail(d, "metadata", "missing");
	if (get_str(d, *meta, "name", "metadata.name", name))
		return -1;
	*ns = NULL;
	if (namespaced && get_str(d, *meta, "namespace", "metadata.namespace", ns))
		return -1;
	/* from here on errors name the object */
	if (*name) {
		if (namespaced && *ns)
			snprintf(d->obj, sizeof d->obj, "%s/%s", *ns, *name);
		else
			snprintf(d->obj, sizeof d->obj, "%s", *name);
	}
	if (!*name || !**name)
		return fail(d, "metadata.name", "missing");
	if (namespaced && (!*ns || !**ns))
		return fail(d, "metadata.namespace", "missing");
	return 0;
}

static int family_of(const char *s)
{
	if (!strcmp(s, "IPv4"))
		return AF_IP4;
	if (!strcmp(s, "IPv6"))
		return AF_IP6;
	return 0;
}

static int decode_ports(struct dctx *d, struct service *s, const json_t *spec)
{
	json_t *ports, *p;
	size_t i;

	if (get_arr(d, spec, "ports", "spec.ports", &ports))
		return -1;
	if (!ports)
		return 0;
	s->ports = xzalloc((json_array_size(ports) + 1) * sizeof *s->ports);
	json_array_foreach(ports, i, p) {
		char path[64];
		const char *proto;
		json_t *port;
		snprintf(path, sizeof path, "spec.ports[%zu]", i);
		if (!json_is_object(p))
			return fail(d, path, "expected an object, found %s", jtype(p));
		snprintf(path, sizeof path, "spec.ports[%zu].protocol", i);
		if (get_str(d, p, "protocol", path, &proto))
			return -1;
		if (!proto)
			proto = "TCP";	/* the API's default */
		if (strcmp(proto, "TCP") && strcmp(proto, "UDP") && strcmp(proto, "SCTP"))
			return fail(d, path, "unknown protocol \"%.40s\" (TCP, UDP or SCTP)", proto);
		snprintf(path, sizeof path, "spec.ports[%zu].port", i);
		if (get(d, p, "port", path, JSON_INTEGER, &port))
			return -1;
		if (!port)
			return fail(d, path, "missing");
		json_int_t n = json_integer_value(port);
		if (n < 1 || n > 65535)
			return fail(d, path, "%lld is not a port (1-65535)", (long long)n);
		snprintf(s->ports[s->nports].proto, sizeof s->ports[0].proto, "%s", proto);
		s->ports[s->nports].port = (int)n;
		s->nports++;
	}
	return 0;
}

static int decode_selector(struct dctx *d, struct service *s, const json_t *spec)
{
	struct kv_list *sel;
	size_t len = 0;

	if (get_kv(d, spec, "selector", "spec.selector", &sel)) {
		kv_list_free(sel);
		return -1;
	}
	if (sel->n) {
		for (int i = 0; i < sel->n; i++)
			len += strlen(sel->kv[i].key) + strlen(sel->kv[i].value) + 2;
		s->selector_key = xzalloc(len + 1);
		for (int i = 0; i < sel->n; i++) {
			if (i)
				strcat(s->selector_key, ",");
			strcat(s->selector_key, sel->kv[i].key);
			strcat(s->selector_key, "=");
			strcat(s->selector_key, sel->kv[i].value);
		}
	}
	kv_list_free(sel);
	return 0;
}

static int decode_service(struct dctx *d, const json_t *o, struct service *s)
{
	const char *ns, *name, *str;
	json_t *meta, *spec, *status, *arr, *v;
	size_t i;

	d->kind = "Service";
	if (get_meta(d, o, 1, &ns, &name, &meta))
		return -1;
	s->namespace = xstrdup(ns);
	s->name = xstrdup(name);
	s->key = xzalloc(strlen(ns) + strlen(name) + 2);
	sprintf(s->key, "%s/%s", ns, name);
	if (get_str(d, meta, "uid", "metadata.uid", &str))
		return -1;
	s->uid = dup_or_null(str);
	if (get_str(d, meta, "resourceVersion", "metadata.resourceVersion", &str))
		return -1;
	s->resource_version = dup_or_null(str);
	if (get_str(d, meta, "creationTimestamp", "metadata.creationTimestamp", &str))
		return -1;
	if (str) {
		s->created_text = xstrdup(str);
		s->created = k8s_parse_time(str);
		if (s->created < 0)
			return fail(d, "metadata.creationTimestamp", "\"%.40s\" is not an RFC 3339 time", str);
	}
	if (get_kv(d, meta, "labels", "metadata.labels", &s->labels) ||
	    get_kv(d, meta, "annotations", "metadata.annotations", &s->annotations))
		return -1;

	if (get_obj(d, o, "spec", "spec", &spec))
		return -1;
	if (!spec)
		return fail(d, "spec", "missing");
	if (get_str(d, spec, "type", "spec.type", &str))
		return -1;
	s->is_lb = str && !strcmp(str, "LoadBalancer");
	if (get_str(d, spec, "loadBalancerClass", "spec.loadBalancerClass", &str))
		return -1;
	s->lb_class = dup_or_null(str);
	if (get_str(d, spec, "loadBalancerIP", "spec.loadBalancerIP", &str))
		return -1;
	s->lb_ip = str && *str ? xstrdup(str) : NULL;

	if (get_arr(d, spec, "ipFamilies", "spec.ipFamilies", &arr))
		return -1;
	if (arr) {
		json_array_foreach(arr, i, v) {
			char path[48];
			snprintf(path, sizeof path, "spec.ipFamilies[%zu]", i);
			if (!json_is_string(v))
				return fail(d, path, "expected a string, found %s", jtype(v));
			int af = family_of(json_string_value(v));
			if (!af)
				return fail(d, path, "\"%.20s\" is not IPv4 or IPv6", json_string_value(v));
			if (s->nfamilies == 2 || (s->nfamilies == 1 && s->families[0] == af))
				return fail(d, path, "more than one of each family");
			s->families[s->nfamilies++] = af;
		}
	}
	if (get_str(d, spec, "ipFamilyPolicy", "spec.ipFamilyPolicy", &str))
		return -1;
	if (!str || !strcmp(str, "SingleStack"))
		s->family_policy = SVC_SINGLE_STACK;
	else if (!strcmp(str, "PreferDualStack"))
		s->family_policy = SVC_PREFER_DUAL;
	else if (!strcmp(str, "RequireDualStack"))
		s->family_policy = SVC_REQUIRE_DUAL;
	else
		return fail(d, "spec.ipFamilyPolicy", "\"%.40s\" is not SingleStack, PreferDualStack or RequireDualStack", str);
	if (get_str(d, spec, "externalTrafficPolicy", "spec.externalTrafficPolicy", &str))
		return -1;
	if (!str || !strcmp(str, "Cluster"))
		s->traffic_policy = K8S_POLICY_CLUSTER;
	else if (!strcmp(str, "Local"))
		s->traffic_policy = K8S_POLICY_LOCAL;
	else
		return fail(d, "spec.externalTrafficPolicy", "\"%.40s\" is not Cluster or Local", str);
	if (decode_ports(d, s, spec) || decode_selector(d, s, spec))
		return -1;

	/* status.loadBalancer.ingress[].ip: what an earlier allocator gave */
	if (get_obj(d, o, "status", "status", &status))
		return -1;
	json_t *lb = NULL;
	if (status && get_obj(d, status, "loadBalancer", "status.loadBalancer", &lb))
		return -1;
	if (lb && get_arr(d, lb, "ingress", "status.loadBalancer.ingress", &arr))
		return -1;
	if (lb && arr) {
		json_array_foreach(arr, i, v) {
			char path[64];
			ip_addr a;
			snprintf(path, sizeof path, "status.loadBalancer.ingress[%zu]", i);
			if (!json_is_object(v))
				return fail(d, path, "expected an object, found %s", jtype(v));
			snprintf(path, sizeof path, "status.loadBalancer.ingress[%zu].ip", i);
			if (get_str(d, v, "ip", path, &str))
				return -1;
			if (!str)
				continue;	/* a hostname entry: not ours */
			if (!ip_pton(str, &a))
				return fail(d, path, "\"%.60s\" is not an IP address", str);
			if (s->ningress < SVC_MAX_ADDRS)
				s->ingress[s->ningress++] = a;
		}
	}
	return 0;
}

/* discovery.k8s.io/v1 EndpointSlice */
static int decode_slice(struct dctx *d, const json_t *o, struct epslice *e)
{
	const char *ns, *name, *str;
	json_t *meta, *eps, *ep;
	struct kv_list *labels;
	size_t i;

	d->kind = "EndpointSlice";
	if (get_meta(d, o, 1, &ns, &name, &meta))
		return -1;
	e->namespace = xstrdup(ns);
	e->name = xstrdup(name);
	e->key = xzalloc(strlen(ns) + strlen(name) + 2);
	sprintf(e->key, "%s/%s", ns, name);
	if (get_str(d, meta, "resourceVersion", "metadata.resourceVersion", &str))
		return -1;
	e->resource_version = dup_or_null(str);
	if (get_kv(d, meta, "labels", "metadata.labels", &labels)) {
		kv_list_free(labels);
		return -1;
	}
	e->service = dup_or_null(kv_get(labels, "kubernetes.io/service-name"));
	kv_list_free(labels);

	if (get_arr(d, o, "endpoints", "endpoints", &eps))
		return -1;
	if (!eps)
		return 0;	/* the API leaves out an empty list */
	e->eps = xzalloc((json_array_size(eps) + 1) * sizeof *e->eps);
	json_array_foreach(eps, i, ep) {
		char path[64];
		json_t *cond, *ready, *serving;
		snprintf(path, sizeof path, "endpoints[%zu]", i);
		if (!json_is_object(ep))
			return fail(d, path, "expected an object, found %s", jtype(ep));
		struct svc_endpoint *x = &e->eps[e->neps++];
		snprintf(path, sizeof path, "endpoints[%zu].nodeName", i);
		if (get_str(d, ep, "nodeName", path, &str))
			return -1;
		x->node = dup_or_null(str);
		snprintf(path, sizeof path, "endpoints[%zu].conditions", i);
		if (get_obj(d, ep, "conditions", path, &cond))
			return -1;
		ready = serving = NULL;
		snprintf(path, sizeof path, "endpoints[%zu].conditions.ready", i);
		if (cond && get(d, cond, "ready", path, JSON_TRUE, &ready))
			return -1;
		snprintf(path, sizeof path, "endpoints[%zu].conditions.serving", i);
		if (cond && get(d, cond, "serving", path, JSON_TRUE, &serving))
			return -1;
		/* "ready" nil/true, or "serving" true: terminating but still
		 * serving counts (MetalLB's EndpointCanServe) */
		x->serving = !ready || json_is_true(ready) || (serving && json_is_true(serving));
	}
	return 0;
}

static int decode_node(struct dctx *d, const json_t *o, struct k8s_node *n)
{
	const char *ns, *name, *str;
	json_t *meta, *status, *conds, *c;
	size_t i;

	d->kind = "Node";
	if (get_meta(d, o, 0, &ns, &name, &meta))
		return -1;
	n->name = xstrdup(name);
	if (get_str(d, meta, "resourceVersion", "metadata.resourceVersion", &str))
		return -1;
	n->resource_version = dup_or_null(str);
	if (get_kv(d, meta, "labels", "metadata.labels", &n->labels))
		return -1;
	if (get_obj(d, o, "status", "status", &status))
		return -1;
	if (status && get_arr(d, status, "conditions", "status.conditions", &conds))
		return -1;
	if (!status || !conds)
		return 0;
	json_array_foreach(conds, i, c) {
		char path[64];
		const char *type, *st;
		snprintf(path, sizeof path, "status.conditions[%zu]", i);
		if (!json_is_object(c))
			return fail(d, path, "expected an object, found %s", jtype(c));
		snprintf(path, sizeof path, "status.conditions[%zu].type", i);
		if (get_str(d, c, "type", path, &type))
			return -1;
		snprintf(path, sizeof path, "status.conditions[%zu].status", i);
		if (get_str(d, c, "status", path, &st))
			return -1;
		if (!type || !st)
			return fail(d, path, "missing");
		int is_true = !strcmp(st, "True");
		if (!strcmp(type, "Ready"))
			n->ready = is_true;
		else if (!strcmp(type, "NetworkUnavailable"))
			n->network_unavailable = is_true;
	}
	return 0;
}

enum k8s_kind k8s_kind_of(const char *kind)
{
	if (!kind)
		return K8S_OTHER;
	if (!strcmp(kind, "Service"))
		return K8S_SERVICE;
	if (!strcmp(kind, "EndpointSlice"))
		return K8S_SLICE;
	if (!strcmp(kind, "Node"))
		return K8S_NODE;
	return K8S_OTHER;
}

const char *k8s_kind_name(enum k8s_kind k)
{
	static const char *n[] = { "Service", "EndpointSlice", "Node", "object" };
	return n[k];
}

static int decode_one(struct dctx *d, json_t *o, enum k8s_kind kind, void **out)
{
	int r;

	*out = NULL;
	switch (kind) {
	case K8S_SERVICE: {
		struct service *s = svc_new();
		r = decode_service(d, o, s);
		if (r)
			svc_free(s);
		else
			*out = s;
		return r;
	}
	case K8S_SLICE: {
		struct epslice *e = xzalloc(sizeof *e);
		r = decode_slice(d, o, e);
		if (r)
			epslice_free(e);
		else
			*out = e;
		return r;
	}
	case K8S_NODE: {
		struct k8s_node *n = xzalloc(sizeof *n);
		r = decode_node(d, o, n);
		if (r)
			k8s_node_free(n);
		else
			*out = n;
		return r;
	}
	default:
		return 0;
	}
}

int k8s_decode_object(json_t *o, enum k8s_kind kind, const char *where, void **out, char *err, size_t errlen)
{
	struct dctx d = { .file = where, .kind = k8s_kind_name(kind), .err = err, .errlen = errlen };

	snprintf(d.obj, sizeof d.obj, "(unnamed)");
	if (!json_is_object(o)) {
		snprintf(err, errlen, "%s: %s: expected an object, found %s", where, d.kind, jtype(o));
		return -1;
	}
	return decode_one(&d, o, kind, out);
}

void k8s_db_put(struct k8s_db *db, enum k8s_kind kind, void *obj)
{
	switch (kind) {
	case K8S_SERVICE: {
		struct service *s = obj;
		svc_free(k8s_set_put(&db->services, s->key, s));
		break;
	}
	case K8S_SLICE: {
		struct epslice *e = obj;
		epslice_free(k8s_set_put(&db->slices, e->key, e));
		break;
	}
	case K8S_NODE: {
		struct k8s_node *n = obj;
		k8s_node_free(k8s_set_put(&db->nodes, n->name, n));
		break;
	}
	default:
		break;
	}
}

int k8s_decode_list_json(json_t *doc, enum k8s_kind kind, const char *file, struct k8s_db *db,
			 char *err, size_t errlen)
{
	struct dctx d = { .file = file, .kind = "List", .err = err, .errlen = errlen };
	json_t *items, *it;
	size_t i;

	snprintf(d.obj, sizeof d.obj, "(document)");
	if (!json_is_object(doc)) {
		snprintf(err, errlen, "%s: expected a JSON object (a Kubernetes List), found %s", file, jtype(doc));
		return -1;
	}
	if (get_arr(&d, doc, "items", "items", &items))
		return -1;
	if (!items)
		return fail(&d, "items", "missing");
	json_array_foreach(items, i, it) {
		const char *k;
		void *obj;
		snprintf(d.obj, sizeof d.obj, "items[%zu]", i);
		d.kind = "object";
		if (!json_is_object(it))
			return fail(&d, "items", "expected an object, found %s", jtype(it));
		if (get_str(&d, it, "kind", "kind", &k))
			return -1;
		enum k8s_kind ik = k ? k8s_kind_of(k) : kind;
		if (ik == K8S_OTHER)
			continue;
		if (decode_one(&d, it, ik, &obj))
			return -1;
		k8s_db_put(db, ik, obj);
	}
	return 0;
}

int k8s_decode_list(const char *text, size_t len, const char *file, struct k8s_db *db, char *err, size_t errlen)
{
	json_error_t je;
	json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);

	if (!doc) {
		snprintf(err, errlen, "%s:%d:%d: %s", file, je.line, je.column, je.text);
		return -1;
	}
	int r = k8s_decode_list_json(doc, K8S_OTHER, file, db, err, errlen);
	json_decref(doc);
	return r;
}

char *k8s_read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 65536, n = 0;
	char *buf;

	if (fd < 0)
		return NULL;
	buf = xmalloc(cap + 1);
	for (;;) {
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == cap) {
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
	}
	close(fd);
	buf[n] = 0;
	*len = n;
	return buf;
}
