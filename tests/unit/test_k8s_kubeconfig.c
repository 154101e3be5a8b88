/*
 * Unit tests of kubeconfig reading (proto/kubernetes/kubeconfig.c): the
 * current context picks cluster and user; certificate authority, client
 * certificate and key as files (relative to the kubeconfig) or inline data;
 * token and tokenFile; and each malformed file is refused with a message
 * that names what is wrong.  Also the base64 decoder.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto/kubernetes/kubeconfig.h"

static const char *good =
	"apiVersion: v1\n"
	"kind: Config\n"
	"current-context: prod\n"
	"clusters:\n"
	"- name: dev\n"
	"  cluster: {server: https://192.0.2.9:6443}\n"
	"- name: prod\n"
	"  cluster:\n"
	"    server: https://203.0.113.1:6443/\n"
	"    certificate-authority-data: LS0tLS1CRUdJTg==\n"
	"contexts:\n"
	"- name: dev\n"
	"  context: {cluster: dev, user: dev}\n"
	"- name: prod\n"
	"  context:\n"
	"    cluster: prod\n"
	"    user: admin\n"
	"    namespace: default\n"
	"users:\n"
	"- name: dev\n"
	"  user: {token: devtoken}\n"
	"- name: admin\n"
	"  user:\n"
	"    client-certificate: certs/admin.crt\n"
	"    client-key: /etc/keys/admin.key\n"
	"    client-certificate-data: aGVsbG8=\n"
	"    tokenFile: tok\n";

START_TEST(test_good)
{
	struct k8s_auth a;
	char err[256] = "";

	ck_assert_msg(k8s_kubeconfig_parse(good, strlen(good), "kc", "/srv/kube", &a, err, sizeof err) == 0, "%s", err);
	ck_assert_str_eq(a.server, "https://203.0.113.1:6443");	/* trailing slash dropped */
	ck_assert_uint_eq(a.ca_len, 10);
	ck_assert(!memcmp(a.ca_data, "-----BEGIN", 10));
	ck_assert_str_eq(a.cert_file, "/srv/kube/certs/admin.crt");	/* relative to the kubeconfig */
	ck_assert_str_eq(a.key_file, "/etc/keys/admin.key");
	ck_assert_uint_eq(a.cert_len, 5);
	ck_assert(!memcmp(a.cert_data, "hello", 5));
	ck_assert_str_eq(a.token_file, "/srv/kube/tok");
	ck_assert_ptr_null(a.token);
	ck_assert_ptr_null(a.ca_file);
	ck_assert(!a.insecure);
	k8s_auth_free(&a);
}
END_TEST

START_TEST(test_other_context)
{
	struct k8s_auth a;
	char err[256] = "";
	char *text = strdup(good);
	char *p = strstr(text, "current-context: prod");
	memcpy(p, "current-context: dev ", 21);

	ck_assert_msg(k8s_kubeconfig_parse(text, strlen(text), "kc", NULL, &a, err, sizeof err) == 0, "%s", err);
	ck_assert_str_eq(a.server, "https://192.0.2.9:6443");
	ck_assert_str_eq(a.token, "devtoken");
	ck_assert_ptr_null(a.ca_data);
	k8s_auth_free(&a);
	free(text);
}
END_TEST

struct bad {
	const char *text, *want;
};

static const struct bad bads[] = {
	{ "", "not a kubeconfig" },
	{ "- a\n- b\n", "not a kubeconfig" },
	{ "key: [unclosed\n", "kc:" },
	{ "clusters: []\n", "no current-context" },
	{ "current-context: x\n", "no list \"contexts\"" },
	{ "current-context: x\ncontexts: []\n", "contexts has no entry named \"x\"" },
	{ "current-context: x\ncontexts:\n- name: x\n", "has no context map" },
	{ "current-context: x\ncontexts:\n- {name: x, context: {user: u}}\n", "names no cluster" },
	{ "current-context: x\ncontexts:\n- {name: x, context: {cluster: c}}\nclusters:\n- {name: c, cluster: {server: ftp://x}}\n",
	  "server must be an http(s) URL" },
	{ "current-context: x\ncontexts:\n- {name: x, context: {cluster: c}}\nclusters:\n- {name: c, cluster: {server: 'https:///'}}\n",
	  "server must be an http(s) URL with a host" },
	{ "current-context: x\ncontexts:\n- {name: x, context: {cluster: c}}\nclusters:\n- {name: c, cluster: {server: [a]}}\n",
	  "cluster.server: expected a string" },
	{ "current-context: x\ncontexts:\n- {name: x, context: {cluster: c}}\n"
	  "clusters:\n- {name: c, cluster: {server: 'https://h', certificate-authority-data: '@@@'}}\n",
	  "certificate-authority-data: not base64" },
	{ "current-context: x\ncontexts:\n- {name: x, context: {cluster: c, user: u}}\n"
	  "clusters:\n- {name: c, cluster: {server: 'https://h'}}\nusers:\n- {name: u, user: {exec: {command: aws}}}\n",
	  "exec and auth-provider plugins are not supported" },
	{ "current-context: x\ncontexts:\n- {name: x, context: {cluster: c, user: u}}\n"
	  "clusters:\n- {name: c, cluster: {server: 'https://h'}}\nusers: []\n",
	  "users has no entry named \"u\"" },
};

START_TEST(test_bad)
{
	struct k8s_auth a;
	char err[256] = "";

	ck_assert_msg(k8s_kubeconfig_parse(bads[_i].text, strlen(bads[_i].text), "kc", NULL, &a, err, sizeof err) == -1,
		      "accepted: %s", bads[_i].text);
	ck_assert_msg(strstr(err, bads[_i].want) != NULL, "error \"%s\" lacks \"%s\"", err, bads[_i].want);
	ck_assert_ptr_null(a.server);	/* nothing left half-filled */
}
END_TEST

START_TEST(test_load_file)
{
	char dir[] = "/tmp/mb-kc-XXXXXX", path[300], err[256] = "";
	struct k8s_auth a;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/config", dir);
	FILE *f = fopen(path, "w");
	fputs(good, f);
	fclose(f);
	ck_assert_msg(k8s_kubeconfig_load(path, &a, err, sizeof err) == 0, "%s", err);
	char want[320];
	snprintf(want, sizeof want, "%s/certs/admin.crt", dir);
	ck_assert_str_eq(a.cert_file, want);
	k8s_auth_free(&a);
	unlink(path);
	ck_assert_int_eq(k8s_kubeconfig_load(path, &a, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
	rmdir(dir);
}
END_TEST

START_TEST(test_base64)
{
	size_t n;
	unsigned char *d;

	d = k8s_base64_decode("aGVsbG8gd29ybGQ=", &n);
	ck_assert_uint_eq(n, 11);
	ck_assert(!memcmp(d, "hello world", 11));
	free(d);
	d = k8s_base64_decode("aGVs\nbG8", &n);	/* no padding, a newline */
	ck_assert_uint_eq(n, 5);
	free(d);
	d = k8s_base64_decode("", &n);
	ck_assert_uint_eq(n, 0);
	free(d);
	ck_assert_ptr_null(k8s_base64_decode("aGVs*G8=", &n));
	ck_assert_ptr_null(k8s_base64_decode("aGVsbG8=x", &n));
	ck_assert_ptr_null(k8s_base64_decode("a", &n));
	ck_assert_ptr_null(k8s_base64_decode("aGVsbG8===", &n));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("k8s_kubeconfig");
	TCase *tc = tcase_create("kubeconfig");

	tcase_add_test(tc, test_good);
	tcase_add_test(tc, test_other_context);
	tcase_add_loop_test(tc, test_bad, 0, (int)(sizeof bads / sizeof bads[0]));
	tcase_add_test(tc, test_load_file);
	tcase_add_test(tc, test_base64);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
