/*
 * metalbird -- protocol kubernetes: how to reach the API server
 */
#ifndef MB_K8S_KUBECONFIG_H
#define MB_K8S_KUBECONFIG_H

#include <stddef.h>

struct k8s_auth {
	char *server;			/* https://HOST:PORT, no trailing slash */
	char *ca_file;			/* PEM file, or NULL */
	unsigned char *ca_data;		/* PEM bytes (certificate-authority-data), or NULL */
	size_t ca_len;
	char *token;			/* bearer token, or NULL */
	char *token_file;		/* re-read for every request (rotated tokens) */
	char *cert_file, *key_file;	/* client certificate and key (PEM files) */
	unsigned char *cert_data, *key_data;
	size_t cert_len, key_len;
	int insecure;			/* insecure-skip-tls-verify */
};

/* Read a kubeconfig (YAML): the current context's cluster and user.
 * Relative file names in it are taken from the kubeconfig's directory.
 * Returns 0, or -1 with "FILE: what is wrong". */
int k8s_kubeconfig_load(const char *path, struct k8s_auth *a, char *err, size_t errlen);
int k8s_kubeconfig_parse(const char *text, size_t len, const char *name, const char *dir, struct k8s_auth *a,
			 char *err, size_t errlen);
void k8s_auth_free(struct k8s_auth *a);
/* Base64 (standard alphabet, padding optional, whitespace skipped); NULL on error. */
unsigned char *k8s_base64_decode(const char *s, size_t *len);
/* Whether URL is http:// or https:// followed by a host ("https:///" is not). */
int k8s_url_ok(const char *url);

#endif
