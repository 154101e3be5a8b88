/*
 * Unit tests of metalbird-convert (conf/convert/): Go durations, label
 * selectors, reading MetalLB objects with their errors and line numbers,
 * and what the writer makes of them.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "conf/convert/convert.h"

/* Convert text; returns the output (malloc'd) or NULL with err set. */
static char *convert(const char *yaml, char *err, size_t errlen)
{
	struct cv_model *m = cv_model_new();
	char *out = NULL;
	size_t len = 0;

	err[0] = 0;
	if (cv_read(m, "in.yaml", yaml, strlen(yaml), err, errlen) < 0) {
		cv_model_free(m);
		return NULL;
	}
	FILE *f = open_memstream(&out, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(cv_emit(m, f), 0);
	fclose(f);
	cv_model_free(m);
	return out;
}

#define POOL(name, addr) \
	"apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata:\n  name: " name \
	"\nspec:\n  addresses:\n  - " addr "\n---\n"
#define PEER(name, my, peer, addr) \
	"apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata:\n  name: " name \
	"\nspec:\n  myASN: " my "\n  peerASN: " peer "\n  peerAddress: " addr "\n---\n"

START_TEST(t_duration)
{
	ck_assert_int_eq(cv_duration_ms("90s"), 90000);
	ck_assert_int_eq(cv_duration_ms("1m30s"), 90000);
	ck_assert_int_eq(cv_duration_ms("1.5s"), 1500);
	ck_assert_int_eq(cv_duration_ms("300ms"), 300);
	ck_assert_int_eq(cv_duration_ms("2h"), 7200000);
	ck_assert_int_eq(cv_duration_ms("0"), 0);
	ck_assert_int_eq(cv_duration_ms("90"), -1);
	ck_assert_int_eq(cv_duration_ms("s"), -1);
	ck_assert_int_eq(cv_duration_ms("10x"), -1);
	ck_assert_int_eq(cv_duration_ms(""), -1);
	ck_assert_int_eq(cv_duration_ms("-5s"), -1);
}
END_TEST

START_TEST(t_simple_bgp)
{
	char err[256];
	char *out = convert(PEER("tor", "64500", "64501", "198.51.100.1") POOL("web", "203.0.113.0/24")
			    "apiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata:\n  name: all\n",
			    err, sizeof err);

	ck_assert_msg(out != NULL, "%s", err);
	ck_assert_ptr_nonnull(strstr(out, "pool web {\n\taddresses 203.0.113.0/24;\n}"));
	ck_assert_ptr_nonnull(strstr(out, "protocol bgp tor {\n\tneighbor 198.51.100.1 as 64501;\n\tlocal as 64500;\n"));
	ck_assert_ptr_nonnull(strstr(out, "export filter export_tor;"));
	ck_assert_ptr_nonnull(strstr(out, "filter export_tor {"));
	/* with BGP peers there is no implicit layer 2 to silence */
	ck_assert_ptr_null(strstr(out, "protocol l2"));
	free(out);
}
END_TEST

START_TEST(t_no_advertisement)
{
	char err[256];
	char *out = convert(PEER("tor", "64500", "64501", "198.51.100.1") POOL("web", "203.0.113.0/24"), err,
			    sizeof err);

	ck_assert_msg(out != NULL, "%s", err);
	ck_assert_ptr_nonnull(strstr(out, "export none;"));
	ck_assert_ptr_null(strstr(out, "filter export_tor"));
	free(out);

	/* pools only: MetalLB announces nothing, and the output must not let
	 * the implicit protocol l2 announce them */
	out = convert(POOL("web", "203.0.113.0/24"), err, sizeof err);
	ck_assert_msg(out != NULL, "%s", err);
	ck_assert_ptr_nonnull(strstr(out, "protocol l2 {\n\texport none;\n}"));
	free(out);
}
END_TEST

START_TEST(t_names)
{
	char err[256];
	/* MetalLB's names stay as they are, in apostrophes where they are no
	 * plain word or are a keyword; names are unique across pools and
	 * protocols: a pool named like a keyword, a peer named like a pool */
	char *out = convert(POOL("bgp", "203.0.113.0/28") POOL("web-1", "203.0.113.16/28")
			    POOL("lab", "203.0.113.32/28")
			    PEER("web-1", "64500", "64501", "198.51.100.1"), err, sizeof err);

	ck_assert_msg(out != NULL, "%s", err);
	ck_assert_ptr_nonnull(strstr(out, "pool 'bgp' {"));
	ck_assert_ptr_nonnull(strstr(out, "pool 'web-1' {"));
	ck_assert_ptr_nonnull(strstr(out, "pool lab {"));
	ck_assert_ptr_nonnull(strstr(out, "protocol bgp 'web-1_2' {"));
	ck_assert_ptr_null(strstr(out, "MetalLB name \"web-1\""));
	free(out);

	/* a keyword only the built grammar knows (obj/cv-keywords.h) */
	out = convert(POOL("unset", "203.0.113.0/28"), err, sizeof err);
	ck_assert_msg(out != NULL, "%s", err);
	ck_assert_ptr_nonnull(strstr(out, "pool 'unset' {"));
	free(out);

	/* a name no config name can hold is rewritten, and the output says so */
	out = convert(POOL("\"web pool/1\"", "203.0.113.0/28"), err, sizeof err);
	ck_assert_msg(out != NULL, "%s", err);
	ck_assert_ptr_nonnull(strstr(out, "pool web_pool_1 {"));
	ck_assert_ptr_nonnull(strstr(out, "MetalLB name \"web pool/1\""));
	free(out);
}
END_TEST

START_TEST(t_communities)
{
	char err[256];
	char *out = convert(PEER("tor", "64500", "64500", "198.51.100.1") POOL("web", "203.0.113.0/24")
			    "kind: Community\nmetadata:\n  name: c\nspec:\n  communities:\n"
			    "  - name: NO_EXPORT\n    value: 65535:65281\n"
			    "  - name: BIG\n    value: large:4200000000:1:2\n---\n"
			    "kind: BGPAdvertisement\nmetadata:\n  name: a\nspec:\n  localPref: 150\n"
			    "  communities: [NO_EXPORT, BIG, \"1:2\", \"70000:1\", nosuch, \"3:4:\"]\n",
			    err, sizeof err);

	ck_assert_msg(out != NULL, "%s", err);
	ck_assert_ptr_nonnull(strstr(out, "bgp_community.add((65535, 65281));"));
	ck_assert_ptr_nonnull(strstr(out, "bgp_large_community.add((4200000000, 1, 2));"));
	ck_assert_ptr_nonnull(strstr(out, "bgp_community.add((1, 2));"));
	ck_assert_ptr_nonnull(strstr(out, "bgp_local_pref = 150;"));
	ck_assert_ptr_nonnull(strstr(out, "# communities: \"70000:1\" has a part above 65535"));
	ck_assert_ptr_nonnull(strstr(out, "# communities: \"nosuch\" is neither"));
	ck_assert_ptr_nonnull(strstr(out, "# communities: \"3:4:\" is neither"));
	ck_assert_ptr_null(strstr(out, "(3, 4)"));
	free(out);
}
END_TEST

START_TEST(t_unexpressible_peer)
{
	char err[256];
	char *out = convert("kind: BGPPeer\nmetadata:\n  name: dyn\nspec:\n  myASN: 64500\n"
			    "  dynamicASN: external\n  peerAddress: 198.51.100.1\n---\n"
			    "kind: BGPPeer\nmetadata:\n  name: trans\nspec:\n  myASN: 23456\n  peerASN: 64501\n"
			    "  peerAddress: 198.51.100.2\n---\n"
			    "kind: BGPPeer\nmetadata:\n  name: ibgp\nspec:\n  myASN: 64500\n"
			    "  dynamicASN: internal\n  peerAddress: 198.51.100.3\n  holdTime: 1m\n"
			    "  nosuchfield: 1\n",
			    err, sizeof err);

	ck_assert_msg(out != NULL, "%s", err);
	ck_assert_ptr_nonnull(strstr(out, "# left out: dynamicASN external"));
	ck_assert_ptr_nonnull(strstr(out, "# protocol bgp dyn {"));
	ck_assert_ptr_nonnull(strstr(out, "# left out: myASN 23456"));
	ck_assert_ptr_nonnull(strstr(out, "\nprotocol bgp ibgp {\n\tneighbor 198.51.100.3 as 64500;"));
	ck_assert_ptr_nonnull(strstr(out, "\thold time 60;\n"));
	ck_assert_ptr_nonnull(strstr(out, "# spec.nosuchfield is not known; ignored (line 25)"));
	/* only commented-out sessions: the output must silence the implicit l2 */
	free(out);
	out = convert("kind: BGPPeer\nmetadata:\n  name: dyn\nspec:\n  myASN: 64500\n"
		      "  dynamicASN: external\n  peerAddress: 198.51.100.1\n", err, sizeof err);
	ck_assert_ptr_nonnull(strstr(out, "protocol l2 {\n\texport none;\n}"));
	free(out);
}
END_TEST

START_TEST(t_keepalive_only)
{
	char err[256];
	char *out = convert("kind: BGPPeer\nmetadata:\n  name: p\nspec:\n  myASN: 64500\n  peerASN: 64501\n"
			    "  peerAddress: 2001:db8::1\n  keepaliveTime: 10s\n  peerPort: 1179\n",
			    err, sizeof err);

	ck_assert_msg(out != NULL, "%s", err);
	/* MetalLB: hold = 3 x keepalive when only keepalive is given */
	ck_assert_ptr_nonnull(strstr(out, "neighbor 2001:db8::1 port 1179 as 64501;\n\tlocal as 64500;\n"
				     "\thold time 30;\n\tkeepalive time 10;\n"));
	free(out);
}
END_TEST

START_TEST(t_selectors)
{
	char err[256];
	char *out = convert("kind: IPAddressPool\nmetadata:\n  name: a\n  labels: {zone: east}\n"
			    "spec:\n  addresses: [203.0.113.0/28]\n---\n"
			    "kind: IPAddressPool\nmetadata:\n  name: b\n  labels: {zone: west}\n"
			    "spec:\n  addresses: [203.0.113.16/28]\n---\n"
			    "kind: L2Advertisement\nmetadata:\n  name: east\nspec:\n"
			    "  ipAddressPoolSelectors:\n  - matchExpressions:\n"
			    "    - {key: zone, operator: NotIn, values: [west]}\n"
			    "  serviceSelectors:\n  - matchLabels: {app: web}\n"
			    "    matchExpressions:\n    - {key: canary, operator: DoesNotExist}\n",
			    err, sizeof err);

	ck_assert_msg(out != NULL, "%s", err);
	ck_assert_ptr_nonnull(strstr(out, "export where pool = \"a\" && k8s_label(\"app\") = \"web\" && "
				     "!defined(k8s_label(\"canary\"));"));
	free(out);
}
END_TEST

START_TEST(t_errors)
{
	char err[256];

	ck_assert_ptr_null(convert("kind: IPAddressPool\nmetadata:\n  name: a\nspec:\n  addresses:\n"
				   "  - 203.0.113.0/24\n  - 2001:db8::/129\n", err, sizeof err));
	ck_assert_str_eq(err, "in.yaml:7: invalid CIDR \"2001:db8::/129\"");
	ck_assert_ptr_null(convert("kind: IPAddressPool\nmetadata:\n  name: a\nspec:\n  addresses: [\n", err,
				   sizeof err));
	ck_assert_ptr_eq(strstr(err, "in.yaml:6: "), err);
	ck_assert_ptr_null(convert("kind: BGPPeer\nmetadata:\n  name: p\nspec:\n  myASN: 64500\n"
				   "  peerASN: x\n  peerAddress: 198.51.100.1\n", err, sizeof err));
	ck_assert_str_eq(err, "in.yaml:6: peerASN: 'x' is not a number");
	ck_assert_ptr_null(convert("kind: BGPPeer\nmetadata:\n  name: p\nspec:\n  myASN: 64500\n"
				   "  peerAddress: 198.51.100.1\n", err, sizeof err));
	ck_assert_str_eq(err, "in.yaml:5: BGP peer p needs peerASN (peer-asn) or dynamicASN");
	ck_assert_ptr_null(convert("kind: BGPPeer\nmetadata:\n  name: p\nspec:\n  myASN: 64500\n  peerASN: 64501\n"
				   "  peerAddress: 198.51.100.1\n  holdTime: 2s\n", err, sizeof err));
	ck_assert_str_eq(err, "in.yaml:5: invalid hold time 2s: must be 0 or >=3s");
	ck_assert_ptr_null(convert("kind: BGPPeer\nmetadata:\n  name: p\nspec:\n  myASN: 64500\n  peerASN: 64501\n"
				   "  peerAddress: 198.51.100.1\n  holdTime: 9s\n  keepaliveTime: 10s\n", err, sizeof err));
	ck_assert_str_eq(err, "in.yaml:5: invalid keepalive time 10s: longer than the hold time 9s");
	ck_assert_ptr_null(convert("kind: BGPPeer\nmetadata:\n  name: p\nspec:\n  myASN: 64500\n  peerASN: 64501\n"
				   "  peerAddress: 198.51.100.1\n  holdTime: 99999999999999999999\n", err, sizeof err));
	ck_assert_str_eq(err, "in.yaml:8: holdTime: '99999999999999999999' is not a duration (such as \"90s\" or \"1m30s\")");
	ck_assert_ptr_null(convert("- 1\n- 2\n", err, sizeof err));
	ck_assert_ptr_eq(strstr(err, "in.yaml:1: expected a Kubernetes object"), err);
	/* the legacy config inside a ConfigMap: lines of the outer file */
	ck_assert_ptr_null(convert("kind: ConfigMap\nmetadata:\n  name: config\ndata:\n  config: |\n"
				   "    address-pools:\n    - name: p\n      protocol: bgp\n"
				   "      addresses: [192.0.2.0/33]\n", err, sizeof err));
	ck_assert_str_eq(err, "in.yaml:9: invalid CIDR \"192.0.2.0/33\"");
}
END_TEST

START_TEST(t_skipped)
{
	char err[256];
	char *out = convert("apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n---\n"
			    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\ndata:\n  foo: bar\n---\n"
			    POOL("web", "203.0.113.0/24"), err, sizeof err);

	ck_assert_msg(out != NULL, "%s", err);
	ck_assert_ptr_nonnull(strstr(out, "# Service skipped: not a MetalLB configuration object (line 1)"));
	ck_assert_ptr_nonnull(strstr(out, "# ConfigMap without data.config skipped (line 6)"));
	ck_assert_ptr_nonnull(strstr(out, "pool web {"));
	free(out);
}
END_TEST

START_TEST(t_alias_cycle)
{
	char err[256];
	/* an alias may point at its own ancestor; the reader walks a fixed
	 * schema and must neither loop nor crash */
	char *out = convert("kind: IPAddressPool\nmetadata: &m\n  name: a\n  labels: *m\nspec: &s\n"
			    "  addresses: [203.0.113.0/28]\n  serviceAllocation: *s\n", err, sizeof err);

	ck_assert_msg(out != NULL, "%s", err);
	ck_assert_ptr_nonnull(strstr(out, "pool a {"));
	free(out);
}
END_TEST

static Suite *convert_suite(void)
{
	Suite *s = suite_create("convert");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, t_duration);
	tcase_add_test(tc, t_simple_bgp);
	tcase_add_test(tc, t_no_advertisement);
	tcase_add_test(tc, t_names);
	tcase_add_test(tc, t_communities);
	tcase_add_test(tc, t_unexpressible_peer);
	tcase_add_test(tc, t_keepalive_only);
	tcase_add_test(tc, t_selectors);
	tcase_add_test(tc, t_errors);
	tcase_add_test(tc, t_skipped);
	tcase_add_test(tc, t_alias_cycle);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(convert_suite());

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
