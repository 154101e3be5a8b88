/*
 * metalbird -- protocol kubernetes: reading a kubeconfig
 *
 * The file kubectl reads (YAML): `current-context` names a context, which
 * names a cluster (server URL, certificate authority as a file or inline
 * base64 data, insecure-skip-tls-verify) and a user (bearer token or token
 * file, client certificate and key as files or inline data).  We read it
 * with libyaml's document API and walk the tree through checked helpers;
 * the file is outside input, so anything of the wrong shape is an error
 * that names the key.
 */
#include "proto/kubernetes/kubeconfig.h"
#include "proto/kubernetes/decode.h"
#include "nest/mem.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

void k8s_auth_free(struct k8s_auth *a)
{
	free(a->server);
	free(a->ca_file);
	free(a->ca_data);
	free(a->token);
	free(a->token_file);
	free(a->cert_file);
	free(a->key_file);
	free(a->cert_data);
	free(a->key_data);
	memset(a, 0, sizeof *a);
}

int k8s_url_ok(const char *url)
{
	const char *host = !strncmp(url, "https://", 8) ? url + 8 : !strncmp(url, "http://", 7) ? url + 7 : NULL;

	return host && *host && *host != '/';
}

unsigned char *k8s_base64_decode(const char *s, size_t *len)
{
	size_t n = strlen(s), o = 0;
	unsigned char *out = xmalloc(n / 4 * 3 + 4);
	uint32_t acc = 0;
	int bits = 0, pad = 0;

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i], v;
		if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		if (pad)
			goto bad;	/* data after padding */
		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= 'a' && c <= 'z')
			v = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			v = c - '0' + 52;
		else if (c == '+')
			v = 62;
		else if (c == '/')
			v = 63;
		else
			goto bad;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	if (pad > 2 || bits >= 6)
		goto bad;
	out[o] = 0;
	*len = o;
	return out;
bad:
	free(out);
	return NULL;
}

struct kc {
	yaml_document_t doc;
	const char *name;
	char *err;
	size_t errlen;
};

static yaml_node_t *map_get(struct kc *k, yaml_node_t *m, const char *key)
{
	if (!m || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(&k->doc, p->key);
		if (kn && kn->type == YAML_SCALAR_NODE && !strcmp((const char *)kn->data.scalar.value, key))
			return yaml_document_get_node(&k->doc, p->value);
	}
	return NULL;
}

/* A scalar under key, or NULL when absent; -1 when not a scalar. */
static int map_str(struct kc *k, yaml_node_t *m, const char *key, const char *where, const char **out)
{
	yaml_node_t *v = map_get(k, m, key);

	*out = NULL;
	if (!v)
		return 0;
	if (v->type != YAML_SCALAR_NODE) {
		snprintf(k->err, k->errlen, "%s: %s.%s: expected a string", k->name, where, key);
		return -1;
	}
	*out = (const char *)v->data.scalar.value;
	return 0;
}

/* In a list of {name: N, KIND: {...}}, the KIND map of the item named name. */
static yaml_node_t *named(struct kc *k, const char *list, const char *kind, const char *name)
{
	yaml_node_t *root = yaml_document_get_root_node(&k->doc), *l = map_get(k, root, list);

	if (!l || l->type != YAML_SEQUENCE_NODE) {
		snprintf(k->err, k->errlen, "%s: no list \"%s\"", k->name, list);
		return NULL;
	}
	for (yaml_node_item_t *i = l->data.sequence.items.start; i < l->data.sequence.items.top; i++) {
		yaml_node_t *it = yaml_document_get_node(&k->doc, *i);
		const char *n;
		if (map_str(k, it, "name", list, &n))
			return NULL;
		if (n && !strcmp(n, name)) {
			yaml_node_t *m = map_get(k, it, kind);
			if (!m || m->type != YAML_MAPPING_NODE) {
				snprintf(k->err, k->errlen, "%s: %s \"%s\" has no %s map", k->name, list, name, kind);
				return NULL;
			}
			return m;
		}
	}
	snprintf(k->err, k->errlen, "%s: %s has no entry named \"%s\"", k->name, list, name);
	return NULL;
}

static char *rel(const char *dir, const char *p)
{
	if (p[0] == '/' || !dir)
		return xstrdup(p);
	char *r = xmalloc(strlen(dir) + strlen(p) + 2);
	sprintf(r, "%s/%s", dir, p);
	return r;
}

static int data_field(struct kc *k, yaml_node_t *m, const char *key, const char *where, unsigned char **out,
		      size_t *len)
{
	const char *v;

	if (map_str(k, m, key, where, &v))
		return -1;
	if (!v)
		return 0;
	*out = k8s_base64_decode(v, len);
	if (!*out) {
		snprintf(k->err, k->errlen, "%s: %s.%s: not base64", k->name, where, key);
		return -1;
	}
	return 0;
}

int k8s_kubeconfig_parse(const char *text, size_t len, const char *name, const char *dir, struct k8s_auth *a,
			 char *err, size_t errlen)
{
	yaml_parser_t parser;
	struct kc k = { .name = name, .err = err, .errlen = errlen };
	const char *ctxname, *cluster, *user, *v;
	int rc = -1;

	memset(a, 0, sizeof *a);
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "%s: cannot start the YAML parser", name);
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &k.doc)) {
		snprintf(err, errlen, "%s:%zu:%zu: %s", name, parser.problem_mark.line + 1,
			 parser.problem_mark.column + 1, parser.problem ? parser.problem : "YAML error");
		yaml_parser_delete(&parser);
		return -1;
	}
	yaml_parser_delete(&parser);
	yaml_node_t *root = yaml_document_get_root_node(&k.doc);
	if (!root || root->type != YAML_MAPPING_NODE) {
		snprintf(err, errlen, "%s: not a kubeconfig (expected a map)", name);
		goto out;
	}
	if (map_str(&k, root, "current-context", "kubeconfig", &ctxname))
		goto out;
	if (!ctxname || !*ctxname) {
		snprintf(err, errlen, "%s: no current-context", name);
		goto out;
	}
	yaml_node_t *ctx = named(&k, "contexts", "context", ctxname);
	if (!ctx || map_str(&k, ctx, "cluster", "context", &cluster) || map_str(&k, ctx, "user", "context", &user))
		goto out;
	if (!cluster) {
		snprintf(err, errlen, "%s: context \"%s\" names no cluster", name, ctxname);
		goto out;
	}
	yaml_node_t *cl = named(&k, "clusters", "cluster", cluster);
	if (!cl || map_str(&k, cl, "server", "cluster", &v))
		goto out;
	if (!v || !k8s_url_ok(v)) {
		snprintf(err, errlen, "%s: cluster \"%s\": server must be an http(s) URL with a host", name,
			 cluster);
		goto out;
	}
	a->server = xstrdup(v);
	size_t sl = strlen(a->server);
	while (sl && a->server[sl - 1] == '/')
		a->server[--sl] = 0;
	if (map_str(&k, cl, "certificate-authority", "cluster", &v))
		goto out;
	if (v)
		a->ca_file = rel(dir, v);
	if (data_field(&k, cl, "certificate-authority-data", "cluster", &a->ca_data, &a->ca_len))
		goto out;
	if (map_str(&k, cl, "insecure-skip-tls-verify", "cluster", &v))
		goto out;
	a->insecure = v && !strcmp(v, "true");
	if (user) {
		yaml_node_t *u = named(&k, "users", "user", user);
		if (!u)
			goto out;
		if (map_str(&k, u, "token", "user", &v))
			goto out;
		if (v)
			a->token = xstrdup(v);
		if (map_str(&k, u, "tokenFile", "user", &v))
			goto out;
		if (v)
			a->token_file = rel(dir, v);
		if (map_str(&k, u, "client-certificate", "user", &v))
			goto out;
		if (v)
			a->cert_file = rel(dir, v);
		if (map_str(&k, u, "client-key", "user", &v))
			goto out;
		if (v)
			a->key_file = rel(dir, v);
		if (data_field(&k, u, "client-certificate-data", "user", &a->cert_data, &a->cert_len) ||
		    data_field(&k, u, "client-key-data", "user", &a->key_data, &a->key_len))
			goto out;
		if (map_get(&k, u, "exec") || map_get(&k, u, "auth-provider")) {
			if (!a->token && !a->token_file && !a->cert_file && !a->cert_data) {
				snprintf(err, errlen, "%s: user \"%s\": exec and auth-provider plugins are not supported; "
					 "use a token or a client certificate", name, user);
				goto out;
			}
		}
	}
	rc = 0;
out:
	yaml_document_delete(&k.doc);
	if (rc)
		k8s_auth_free(a);
	return rc;
}

int k8s_kubeconfig_load(const char *path, struct k8s_auth *a, char *err, size_t errlen)
{
	size_t len;
	char *text = k8s_read_file(path, &len);

	if (!text) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	int rc = k8s_kubeconfig_parse(text, len, path, slash ? dir : NULL, a, err, errlen);
	free(dir);
	free(text);
	return rc;
}
