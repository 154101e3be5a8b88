/*
 * Unit tests of the Kubernetes JSON decoding (proto/kubernetes/decode.c)
 * and the Service model (nest/service.c): the example state file
 * doc/examples/services.json decodes into the fields we expect, endpoints
 * are counted by the serving rule, and each kind of bad input is refused
 * with an error that names the file, the object and the field.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/kubernetes/decode.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)n + 1);
	ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
	b[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return b;
}

START_TEST(test_example)
{
	size_t len;
	char *text = slurp("doc/examples/services.json", &len), err[512] = "";
	struct k8s_db db;
	char b[IP_STRLEN];

	k8s_db_init(&db);
	ck_assert_msg(k8s_decode_list(text, len, "services.json", &db, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(db.services.n, 5);
	ck_assert_int_eq(db.slices.n, 4);
	ck_assert_int_eq(db.nodes.n, 2);

	struct service *web = k8s_set_get(&db.services, "shop/web");
	ck_assert_ptr_nonnull(web);
	ck_assert(web->is_lb);
	ck_assert_str_eq(web->uid, "1c3e2a10-6b57-4c1e-9d2f-6a1f0e4b7c11");
	ck_assert_str_eq(web->resource_version, "48211");
	ck_assert_int_eq(web->created, 1772442847);	/* 2026-03-02T09:14:07Z */
	ck_assert_str_eq(kv_get(web->labels, "tier"), "gold");
	ck_assert_str_eq(svc_metallb_annotation(web, "address-pool"), "production");
	ck_assert_int_eq(web->nports, 2);
	ck_assert_str_eq(web->ports[1].proto, "TCP");
	ck_assert_int_eq(web->ports[1].port, 443);
	ck_assert_str_eq(web->selector_key, "app.kubernetes.io/name=web");
	ck_assert_int_eq(web->traffic_policy, K8S_POLICY_CLUSTER);
	ck_assert_int_eq(web->nfamilies, 1);
	ck_assert_int_eq(web->families[0], AF_IP4);
	ck_assert_int_eq(web->ningress, 0);

	struct service *dns = k8s_set_get(&db.services, "kube-system/dns-udp");
	ck_assert_ptr_nonnull(dns);
	ck_assert_int_eq(dns->traffic_policy, K8S_POLICY_LOCAL);
	ck_assert_int_eq(dns->ningress, 1);
	ck_assert_str_eq(ip_ntop(dns->ingress[0], b), "203.0.113.53");
	ck_assert_str_eq(dns->ports[0].proto, "UDP");

	struct service *api = k8s_set_get(&db.services, "shop/api");
	ck_assert_int_eq(api->family_policy, SVC_REQUIRE_DUAL);
	ck_assert_int_eq(api->nfamilies, 2);
	ck_assert_int_eq(api->families[1], AF_IP6);

	struct service *in = k8s_set_get(&db.services, "shop/internal");
	ck_assert(!in->is_lb);

	struct k8s_node *n1 = k8s_set_get(&db.nodes, "node-1"), *n2 = k8s_set_get(&db.nodes, "node-2");
	ck_assert(n1->ready && !n1->network_unavailable);
	ck_assert_str_eq(kv_get(n1->labels, "rack"), "r1");
	ck_assert(n2->ready);

	/* web: one ready on node-1, one terminating but serving on node-2;
	 * api: one neither ready nor serving */
	k8s_db_count_endpoints(&db, "node-1");
	ck_assert_int_eq(web->ep_total, 2);
	ck_assert_int_eq(web->ep_local, 1);
	ck_assert_int_eq(dns->ep_total, 1);
	ck_assert_int_eq(dns->ep_local, 0);
	ck_assert_int_eq(api->ep_total, 0);
	ck_assert_int_eq(web->nslices, 1);
	ck_assert_str_eq(web->slices[0]->name, "web-x7k2p");
	ck_assert_int_eq(in->nslices, 0);
	k8s_db_count_endpoints(&db, "node-2");
	ck_assert_int_eq(web->nslices, 1);	/* recounted, not appended */
	ck_assert_int_eq(dns->ep_local, 1);
	k8s_db_free(&db);
	free(text);
}
END_TEST

/* A Service with one field replaced, and the words its error must hold. */
struct bad {
	const char *doc;
	const char *want;
};

#define SVC(meta, spec) "{\"kind\":\"List\",\"items\":[{\"kind\":\"Service\",\"metadata\":" meta ",\"spec\":" spec "}]}"
#define META "{\"name\":\"web\",\"namespace\":\"shop\"}"

static const struct bad bads[] = {
	{ "{", "f.json:" },
	{ "[]", "expected a JSON object" },
	{ "{\"kind\":\"List\"}", "items: missing" },
	{ "{\"items\":{}}", "items: expected an array" },
	{ "{\"items\":[3]}", "items[0]" },
	{ "{\"items\":[{\"kind\":\"Service\"}]}", "Service items[0]: metadata: missing" },
	{ "{\"items\":[{\"kind\":\"Service\",\"metadata\":{\"namespace\":\"a\"},\"spec\":{}}]}", "metadata.name: missing" },
	{ "{\"items\":[{\"kind\":\"Service\",\"metadata\":{\"name\":\"a\"},\"spec\":{}}]}", "Service a: metadata.namespace: missing" },
	{ "{\"items\":[{\"kind\":\"Service\",\"metadata\":" META "}]}", "Service shop/web: spec: missing" },
	{ SVC(META, "{\"type\":5}"), "Service shop/web: spec.type: expected a string, found an integer" },
	{ SVC(META, "{\"ports\":[{\"port\":\"80\"}]}"), "shop/web: spec.ports[0].port: expected an integer" },
	{ SVC(META, "{\"ports\":[{\"port\":70000}]}"), "spec.ports[0].port: 70000 is not a port" },
	{ SVC(META, "{\"ports\":[{\"port\":80,\"protocol\":\"ICMP\"}]}"), "spec.ports[0].protocol: unknown protocol" },
	{ SVC(META, "{\"ports\":[{}]}"), "spec.ports[0].port: missing" },
	{ SVC(META, "{\"ipFamilies\":[\"IPv5\"]}"), "spec.ipFamilies[0]" },
	{ SVC(META, "{\"ipFamilies\":[\"IPv4\",\"IPv4\"]}"), "more than one of each family" },
	{ SVC(META, "{\"ipFamilyPolicy\":\"Dual\"}"), "spec.ipFamilyPolicy" },
	{ SVC(META, "{\"externalTrafficPolicy\":\"Nearest\"}"), "spec.externalTrafficPolicy" },
	{ SVC(META, "{\"selector\":{\"a\":1}}"), "spec.selector[\"a\"]: expected a string" },
	/* found by the fuzzer: the error path freed a list never made */
	{ SVC(META, "{\"selector\":\"app=web\"}"), "spec.selector: expected an object" },
	{ SVC("{\"name\":\"web\",\"namespace\":\"shop\",\"labels\":[]}", "{}"), "metadata.labels: expected an object" },
	{ SVC("{\"name\":\"web\",\"namespace\":\"shop\",\"annotations\":{\"x\":true}}", "{}"), "metadata.annotations[\"x\"]" },
	{ SVC("{\"name\":\"web\",\"namespace\":\"shop\",\"creationTimestamp\":\"yesterday\"}", "{}"),
	  "metadata.creationTimestamp: \"yesterday\" is not an RFC 3339 time" },
	{ "{\"items\":[{\"kind\":\"Service\",\"metadata\":" META ",\"spec\":{},\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"1.2.3\"}]}}}]}",
	  "status.loadBalancer.ingress[0].ip: \"1.2.3\" is not an IP address" },
	{ "{\"items\":[{\"kind\":\"EndpointSlice\",\"metadata\":{\"name\":\"s\",\"namespace\":\"n\"},\"endpoints\":[{\"conditions\":{\"ready\":\"yes\"}}]}]}",
	  "EndpointSlice n/s: endpoints[0].conditions.ready: expected a boolean, found a string" },
	{ "{\"items\":[{\"kind\":\"EndpointSlice\",\"metadata\":{\"name\":\"s\",\"namespace\":\"n\"},\"endpoints\":[{\"nodeName\":1}]}]}",
	  "endpoints[0].nodeName" },
	{ "{\"items\":[{\"kind\":\"Node\",\"metadata\":{\"name\":\"n1\"},\"status\":{\"conditions\":[{\"type\":\"Ready\"}]}}]}",
	  "Node n1: status.conditions[0].status: missing" },
	{ "{\"items\":[{\"kind\":\"Node\",\"metadata\":{\"name\":\"\"}}]}", "metadata.name: missing" },
	{ "{\"items\":[{\"kind\":\"Service\",\"metadata\":" META ",\"spec\":{},\"kind\":\"Service\"}]}", "duplicate" },
};

START_TEST(test_bad)
{
	const struct bad *t = &bads[_i];
	struct k8s_db db;
	char err[512] = "";

	k8s_db_init(&db);
	ck_assert_msg(k8s_decode_list(t->doc, strlen(t->doc), "f.json", &db, err, sizeof err) == -1,
		      "accepted %s", t->doc);
	ck_assert_msg(strstr(err, t->want) != NULL, "%s: error \"%s\" lacks \"%s\"", t->doc, err, t->want);
	ck_assert_msg(!strncmp(err, "f.json", 6), "error does not name the file: %s", err);
	k8s_db_free(&db);
}
END_TEST

START_TEST(test_defaults_and_other_kinds)
{
	const char *doc = "{\"items\":[{\"kind\":\"Pod\",\"metadata\":{}},"
			  "{\"kind\":\"Service\",\"metadata\":{\"name\":\"a\",\"namespace\":\"b\"},"
			  "\"spec\":{\"type\":\"LoadBalancer\",\"ports\":[{\"port\":53}],\"loadBalancerIP\":\"\"}},"
			  "{\"kind\":\"EndpointSlice\",\"metadata\":{\"name\":\"s\",\"namespace\":\"b\","
			  "\"labels\":{\"kubernetes.io/service-name\":\"a\"}},\"endpoints\":[{},{\"conditions\":{}},"
			  "{\"conditions\":{\"ready\":false}},{\"conditions\":{\"ready\":null}}]}]}";
	struct k8s_db db;
	char err[512] = "";

	k8s_db_init(&db);
	ck_assert_msg(k8s_decode_list(doc, strlen(doc), "f", &db, err, sizeof err) == 0, "%s", err);
	struct service *s = k8s_set_get(&db.services, "b/a");
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s->ports[0].proto, "TCP");	/* the API's default */
	ck_assert_ptr_null(s->lb_ip);			/* "" is no request */
	ck_assert_int_eq(s->traffic_policy, K8S_POLICY_CLUSTER);
	ck_assert_int_eq(s->family_policy, SVC_SINGLE_STACK);
	ck_assert_int_eq(s->labels->n, 0);
	k8s_db_count_endpoints(&db, NULL);
	ck_assert_int_eq(s->ep_total, 3);		/* absent or null ready counts */
	k8s_db_free(&db);
}
END_TEST

START_TEST(test_time)
{
	ck_assert_int_eq(k8s_parse_time("1970-01-01T00:00:00Z"), 0);
	ck_assert_int_eq(k8s_parse_time("2026-03-02T09:14:07Z"), 1772442847);
	ck_assert_int_eq(k8s_parse_time("2026-03-02T09:14:07.123456Z"), 1772442847);
	ck_assert_int_eq(k8s_parse_time("2026-03-02T10:14:07+01:00"), 1772442847);
	ck_assert_int_eq(k8s_parse_time("2026-03-02 09:14:07Z"), -1);
	ck_assert_int_eq(k8s_parse_time("2026-13-02T09:14:07Z"), -1);
	ck_assert_int_eq(k8s_parse_time("2026-03-02T09:14:07"), -1);
	ck_assert_int_eq(k8s_parse_time("2026-03-02T09:14:07Zjunk"), -1);
	ck_assert_int_eq(k8s_parse_time(""), -1);
}
END_TEST

START_TEST(test_sets)
{
	struct k8s_set s = { 0 };
	static const char *keys[] = { "m", "c", "x", "a", "q" };
	for (int i = 0; i < 5; i++)
		ck_assert_ptr_null(k8s_set_put(&s, keys[i], (void *)keys[i]));
	ck_assert_int_eq(s.n, 5);
	for (int i = 1; i < s.n; i++)
		ck_assert_int_lt(strcmp(s.keys[i - 1], s.keys[i]), 0);
	ck_assert_ptr_eq(k8s_set_put(&s, "c", (void *)"C"), keys[1]);
	ck_assert_str_eq(k8s_set_get(&s, "c"), "C");
	ck_assert_ptr_eq(k8s_set_del(&s, "x"), keys[2]);
	ck_assert_ptr_null(k8s_set_get(&s, "x"));
	ck_assert_ptr_null(k8s_set_del(&s, "x"));
	ck_assert_int_eq(s.n, 4);
	free(s.obj);
	free(s.keys);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("k8s_decode");
	TCase *tc = tcase_create("decode");

	tcase_add_test(tc, test_example);
	tcase_add_loop_test(tc, test_bad, 0, (int)(sizeof bads / sizeof bads[0]));
	tcase_add_test(tc, test_defaults_and_other_kinds);
	tcase_add_test(tc, test_time);
	tcase_add_test(tc, test_sets);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
