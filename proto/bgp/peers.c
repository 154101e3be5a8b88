/*
 * metalbird -- managing BGP peers one command at a time
 *
 * `peer set`, `peer remove`, `show peers` and `show interfaces`: the
 * workflow of edge appliances that add and remove peers by command
 * (Set-HcsBGPPeer / Remove-HcsBGPPeer / Get-HcsBGPPeers).  The peers live in
 * the config's `peers file`, in config syntax, one `protocol bgp` each.  A
 * change writes the whole file to a temporary file, fsyncs and renames it,
 * and then reloads exactly as `configure` does: the new config is parsed and
 * checked completely, and applying it touches no other session.  If the new
 * config does not pass, the previous peers file is put back and nothing
 * changes.
 */
#include "proto/bgp/bgp.h"
#include "proto/bgp/session.h"
#include "conf/commit.h"
#include "nest/cli.h"
#include "nest/cmds.h"
#include "nest/log.h"
#include "nest/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <jansson.h>
#include <libgen.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *bgp_proto_state_text(struct proto *p);

struct peer_ent {
	ip_addr addr;
	uint32_t as, local_as;
	const char *iface;	/* NULL: none */
	unsigned hold;		/* 0 is a valid hold time; has_hold says whether given */
	int has_hold;
	unsigned port;
	const char *password;
};

static int is_peers_proto(const struct proto_config *pc)
{
	return pc->class == &proto_bgp && config && config->peers_file && pc->loc.file &&
	       !strcmp(pc->loc.file, config->peers_file);
}

static int same_iface(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static struct peer_ent ent_of(const struct bgp_config *c)
{
	struct peer_ent e = { c->remote_ip, c->remote_as, c->local_as, c->iface, c->hold_time, 1,
			      c->remote_port, c->password };
	return e;
}

/* SPEC section 3: the ranges a config accepts, with the same words. */
static int asn_ok(uint32_t asn, const char *what, char *err, size_t len)
{
	if ((asn >= 1 && asn <= 65534 && asn != 23456) || (asn >= 131072 && asn <= 4294967294u))
		return 1;
	snprintf(err, len, "%s %u is not a valid AS number; valid ASNs are 1-65534 (16-bit) and "
		 "131072-4294967294 (32-bit)%s", what, asn, asn == 23456 ? " (23456 is AS_TRANS, RFC 6793)" : "");
	return 0;
}

static int parse_u32(const char *s, uint32_t *out)
{
	char *end;
	if (!*s || *s == '-')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (*end || errno || v > 0xffffffffULL)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static void ent_name(const struct peer_ent *e, char *buf, size_t len)
{
	char a[IP_STRLEN];
	size_t o;

	ip_ntop(e->addr, a);
	o = (size_t)snprintf(buf, len, "peer_");
	for (const char *p = a; *p && o + 1 < len; p++)
		buf[o++] = (*p == '.' || *p == ':') ? '_' : *p;
	if (e->iface && o + 1 < len) {
		buf[o++] = '_';
		for (const char *p = e->iface; *p && o + 1 < len; p++)
			buf[o++] = (char)((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ? *p : '_');
	}
	buf[o] = 0;
}

static void quote(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void write_ent(FILE *f, const struct peer_ent *e)
{
	char name[128], a[IP_STRLEN];

	ent_name(e, name, sizeof name);
	fprintf(f, "protocol bgp %s {\n\tneighbor %s", name, ip_ntop(e->addr, a));
	if (e->port && e->port != 179)
		fprintf(f, " port %u", e->port);
	fprintf(f, " as %u;\n\tlocal as %u;\n", e->as, e->local_as);
	if (e->iface) {
		fprintf(f, "\tinterface ");
		quote(f, e->iface);
		fprintf(f, ";\n");
	}
	if (e->has_hold)
		fprintf(f, "\thold time %u;\n", e->hold);
	if (e->password) {
		fprintf(f, "\tpassword ");
		quote(f, e->password);
		fprintf(f, ";\n");
	}
	fprintf(f, "}\n");
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *b = NULL;
	size_t cap = 0, n = 0, r;
	do {
		if (cap - n < 4096) {
			cap = cap * 2 + 4096;
			b = xrealloc(b, cap);
		}
		r = fread(b + n, 1, cap - n, f);
		n += r;
	} while (r);
	fclose(f);
	*len = n;
	return b;
}

/* Write contents to path atomically: temp file, fsync, rename, fsync dir. */
static int write_atomic(const char *path, const char *data, size_t len, char *err, size_t errlen)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot write %.300s: %s", tmp, strerror(errno));
		return -1;
	}
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "cannot write %.300s: %s", tmp, strerror(errno));
			close(fd);
			unlink(tmp);
			return -1;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		snprintf(err, errlen, "cannot write %.300s: %s", tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) < 0) {
		snprintf(err, errlen, "cannot rename %.300s to %.300s: %s", tmp, path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	char *d = xstrdup(path);
	int dfd = open(dirname(d), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(d);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

/* Rewrite the peers file with ents (skipping index skip), reload; put the
 * old file back if the new config does not pass. */
static int apply_peers(struct cli *c, struct peer_ent *ents, int n, int skip)
{
	char *buf = NULL, err[1024];
	size_t len = 0, oldlen = 0;
	const char *path = config->peers_file;
	FILE *f = open_memstream(&buf, &len);

	fprintf(f, "# BGP peers managed by `metalbirdc peer set` / `peer remove`.\n"
		   "# Read as if included at the end of %s.\n", config_main_file);
	for (int i = 0; i < n; i++)
		if (i != skip) {
			fprintf(f, "\n");
			write_ent(f, &ents[i]);
		}
	fclose(f);

	char *old = read_file(path, &oldlen);
	if (write_atomic(path, buf, len, err, sizeof err) < 0) {
		cli_msg(c, RC_E_PEER, "%s", err);
		free(buf);
		free(old);
		return -1;
	}
	free(buf);
	if (config_reload(config_main_file, 0, err, sizeof err) < 0) {
		char e2[256];
		if (old)
			write_atomic(path, old, oldlen, e2, sizeof e2);
		else
			unlink(path);
		free(old);
		cli_msg(c, RC_E_CONFIG, "%s", err);
		return -1;
	}
	free(old);
	return 0;
}

static int collect(struct peer_ent *ents, int max)
{
	int n = 0;
	for (struct proto_config *pc = config->protos; pc && n < max; pc = pc->next)
		if (is_peers_proto(pc))
			ents[n++] = ent_of((struct bgp_config *)pc);
	return n;
}

#define MAX_PEERS 1024

static void cmd_peer_set(struct cli *c, struct cmd_args *a)
{
	static struct peer_ent ents[MAX_PEERS];
	struct peer_ent e = { 0 };
	char err[256];
	int i = 1, has_local = 0, has_port = 0, has_pw = 0, has_iface = 0;

	if (!config->peers_file) {
		cli_msg(c, RC_E_PEER, "peer set needs a `peers file \"FILE\";` statement in %s", config_main_file);
		return;
	}
	if (a->n < 3 || !ip_pton(a->tok[0].s, &e.addr)) {
		cli_msg(c, RC_E_PARSE, "usage: peer set ADDRESS as ASN [local as ASN] [interface \"NAME\"] [hold time N] [port N] [password \"X\"]");
		return;
	}
	int has_as = 0;
	while (i < a->n) {
		const char *w = a->tok[i].s;
		const char *v = i + 1 < a->n ? a->tok[i + 1].s : NULL;
		if (!strcmp(w, "as") && v) {
			if (parse_u32(v, &e.as) < 0) {
				cli_msg(c, RC_E_PARSE, "as: '%s' is not a number", v);
				return;
			}
			has_as = 1;
			i += 2;
		} else if (!strcmp(w, "local") && v && !strcmp(v, "as") && i + 2 < a->n) {
			if (parse_u32(a->tok[i + 2].s, &e.local_as) < 0) {
				cli_msg(c, RC_E_PARSE, "local as: '%s' is not a number", a->tok[i + 2].s);
				return;
			}
			has_local = 1;
			i += 3;
		} else if (!strcmp(w, "interface") && v) {
			e.iface = v;
			has_iface = 1;
			i += 2;
		} else if (!strcmp(w, "hold") && v && !strcmp(v, "time") && i + 2 < a->n) {
			uint32_t h;
			if (parse_u32(a->tok[i + 2].s, &h) < 0 || (h != 0 && (h < 3 || h > 65535))) {
				cli_msg(c, RC_E_PEER, "hold time %s is invalid: use 0 (no keepalives) or 3-65535 seconds",
					a->tok[i + 2].s);
				return;
			}
			e.hold = h;
			e.has_hold = 1;
			i += 3;
		} else if (!strcmp(w, "port") && v) {
			uint32_t p;
			if (parse_u32(v, &p) < 0 || p < 1 || p > 65535) {
				cli_msg(c, RC_E_PEER, "port %s is out of range (1-65535)", v);
				return;
			}
			e.port = p;
			has_port = 1;
			i += 2;
		} else if (!strcmp(w, "password") && v) {
			if (!*v || strlen(v) > 80) {
				cli_msg(c, RC_E_PEER, "password must be 1-80 characters");
				return;
			}
			e.password = v;
			has_pw = 1;
			i += 2;
		} else {
			cli_msg(c, RC_E_PARSE, "unexpected '%s': peer set ADDRESS as ASN [local as ASN] [interface \"NAME\"] "
				"[hold time N] [port N] [password \"X\"]", w);
			return;
		}
	}
	if (!has_as) {
		cli_msg(c, RC_E_PARSE, "peer set needs the peer's AS: peer set ADDRESS as ASN");
		return;
	}
	if (!asn_ok(e.as, "peer AS", err, sizeof err) || (has_local && !asn_ok(e.local_as, "local AS", err, sizeof err))) {
		cli_msg(c, RC_E_PEER, "%s", err);
		return;
	}
	/* a peer of the main config is the config's to change */
	for (struct proto_config *pc = config->protos; pc; pc = pc->next) {
		if (pc->class != &proto_bgp || is_peers_proto(pc))
			continue;
		struct bgp_config *b = (struct bgp_config *)pc;
		if (ip_equal(b->remote_ip, e.addr) && same_iface(b->iface, e.iface)) {
			cli_msg(c, RC_E_PEER, "peer %s is defined by protocol %s in %s:%d; change it there",
				a->tok[0].s, pc->name, pc->loc.file, pc->loc.line);
			return;
		}
	}
	int n = collect(ents, MAX_PEERS), at = -1;
	for (int k = 0; k < n; k++)
		if (ip_equal(ents[k].addr, e.addr) && same_iface(ents[k].iface, e.iface))
			at = k;
	if (at >= 0) {
		/* change: what is not given stays as it was */
		struct peer_ent *o = &ents[at];
		o->as = e.as;
		if (has_local)
			o->local_as = e.local_as;
		if (e.has_hold) {
			o->hold = e.hold;
			o->has_hold = 1;
		}
		if (has_port)
			o->port = e.port;
		if (has_pw)
			o->password = e.password;
		(void)has_iface;
	} else {
		if (!has_local) {
			for (struct proto_config *pc = config->protos; pc && !has_local; pc = pc->next)
				if (pc->class == &proto_bgp) {
					e.local_as = ((struct bgp_config *)pc)->local_as;
					has_local = 1;
				}
			if (!has_local) {
				cli_msg(c, RC_E_PEER, "give the local AS: peer set %s as %u local as ASN", a->tok[0].s, e.as);
				return;
			}
		}
		if (!e.has_hold) {
			e.hold = 90;
			e.has_hold = 1;
		}
		if (n == MAX_PEERS) {
			cli_msg(c, RC_E_PEER, "too many peers (at most %d)", MAX_PEERS);
			return;
		}
		ents[n++] = e;
	}
	/* strings of the old config are freed by the reload: copy them */
	for (int k = 0; k < n; k++) {
		ents[k].iface = ents[k].iface ? xstrdup(ents[k].iface) : NULL;
		ents[k].password = ents[k].password ? xstrdup(ents[k].password) : NULL;
	}
	int r = apply_peers(c, ents, n, -1);
	for (int k = 0; k < n; k++) {
		free((void *)ents[k].iface);
		free((void *)ents[k].password);
	}
	if (r == 0)
		cli_msg(c, RC_PEER_SET, "Peer %s %s", a->tok[0].s, at >= 0 ? "changed" : "added");
}

static void cmd_peer_remove(struct cli *c, struct cmd_args *a)
{
	static struct peer_ent ents[MAX_PEERS];
	ip_addr addr;
	const char *iface = NULL;

	if (!config->peers_file) {
		cli_msg(c, RC_E_PEER, "peer remove needs a `peers file \"FILE\";` statement in %s", config_main_file);
		return;
	}
	if (a->n < 1 || !ip_pton(a->tok[0].s, &addr) || (a->n != 1 && a->n != 3) ||
	    (a->n == 3 && strcmp(a->tok[1].s, "interface"))) {
		cli_msg(c, RC_E_PARSE, "usage: peer remove ADDRESS [interface \"NAME\"]");
		return;
	}
	if (a->n == 3)
		iface = a->tok[2].s;
	int n = collect(ents, MAX_PEERS), at = -1;
	for (int k = 0; k < n; k++)
		if (ip_equal(ents[k].addr, addr) && same_iface(ents[k].iface, iface))
			at = k;
	if (at < 0) {
		cli_msg(c, RC_E_PEER, "no peer %s%s%s in %s", a->tok[0].s, iface ? " on interface " : "",
			iface ? iface : "", config->peers_file);
		return;
	}
	for (int k = 0; k < n; k++) {
		ents[k].iface = ents[k].iface ? xstrdup(ents[k].iface) : NULL;
		ents[k].password = ents[k].password ? xstrdup(ents[k].password) : NULL;
	}
	int r = apply_peers(c, ents, n, at);
	for (int k = 0; k < n; k++) {
		free((void *)ents[k].iface);
		free((void *)ents[k].password);
	}
	if (r == 0)
		cli_msg(c, RC_PEER_REMOVED, "Peer %s removed", a->tok[0].s);
}

/* --- show peers --------------------------------------------------------------- */

static void cmd_show_peers(struct cli *c, struct cmd_args *a)
{
	const char *iface = NULL;
	char addr[IP_STRLEN], hold[16];
	int n = 0;

	if (a->n == 2 && cmd_arg_is(a, 0, "interface"))
		iface = a->tok[1].s;
	else if (a->n) {
		cli_msg(c, RC_E_PARSE, "usage: show peers [interface \"NAME\"] [json]");
		return;
	}
	json_t *arr = c->json ? json_array() : NULL;
	for (struct proto *p = proto_list; p; p = p->next) {
		if (p->class != &proto_bgp || !p->cf)
			continue;
		struct bgp_config *b = (struct bgp_config *)p->cf;
		if (iface && (!b->iface || strcmp(b->iface, iface)))
			continue;
		const char *st = bgp_proto_state_text(p);
		ip_ntop(b->remote_ip, addr);
		snprintf(hold, sizeof hold, "%u", b->hold_time);
		if (arr) {
			json_array_append_new(arr, json_pack("{s:s, s:s, s:I, s:I, s:i, s:s?, s:s, s:s}", "protocol", p->name,
							     "peer_address", addr, "peer_asn", (json_int_t)b->remote_as,
							     "self_asn", (json_int_t)b->local_as, "hold_time", (int)b->hold_time,
							     "interface", b->iface, "state", st,
							     "source", is_peers_proto(p->cf) ? "peers file" : "config"));
			n++;
			continue;
		}
		if (!n++)
			cli_msg(c, -RC_PEER_HEADING, "%-26s %-10s %-10s %-8s %-12s %s", "PeerAddress", "PeerAsn", "SelfAsn",
				"HoldTime", "Interface", "State");
		cli_msg(c, -RC_PEER_LIST, "%-26s %-10u %-10u %-8s %-12s %s", addr, b->remote_as, b->local_as, hold,
			b->iface ? b->iface : "-", st);
	}
	if (arr) {
		cli_json(c, RC_JSON, json_pack("{s:o}", "peers", arr));
		return;
	}
	cli_ok(c);
}

/* --- show interfaces ------------------------------------------------------------ */

static void read_mac(const char *ifn, char *mac, size_t len)
{
	char path[128];
	snprintf(path, sizeof path, "/sys/class/net/%s/address", ifn);
	FILE *f = fopen(path, "r");
	mac[0] = 0;
	if (f) {
		if (fgets(mac, (int)len, f))
			mac[strcspn(mac, "\n")] = 0;
		fclose(f);
	}
}

static int prefix_len_of(const struct sockaddr *mask)
{
	int n = 0;
	if (mask->sa_family == AF_INET) {
		uint32_t m = ntohl(((const struct sockaddr_in *)mask)->sin_addr.s_addr);
		while (m & 0x80000000u) {
			n++;
			m <<= 1;
		}
	} else {
		const uint8_t *b = ((const struct sockaddr_in6 *)mask)->sin6_addr.s6_addr;
		for (int i = 0; i < 16; i++)
			for (int k = 7; k >= 0 && (b[i] >> k & 1); k--)
				n++;
	}
	return n;
}

static void cmd_show_interfaces(struct cli *c, struct cmd_args *a)
{
	struct ifaddrs *ifa;
	char seen[64][IF_NAMESIZE];
	int nseen = 0;

	if (getifaddrs(&ifa) < 0) {
		cli_msg(c, RC_E_RUNTIME, "cannot list interfaces: %s", strerror(errno));
		return;
	}
	json_t *arr = c->json ? json_array() : NULL;
	for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
		int dup = 0;
		for (int k = 0; k < nseen; k++)
			if (!strcmp(seen[k], i->ifa_name))
				dup = 1;
		if (dup || nseen == 64)
			continue;
		snprintf(seen[nseen++], IF_NAMESIZE, "%s", i->ifa_name);
		char mac[32];
		read_mac(i->ifa_name, mac, sizeof mac);
		int up = (i->ifa_flags & IFF_UP) != 0;
		json_t *o = NULL, *addrs = NULL, *peers = NULL;
		if (arr) {
			o = json_pack("{s:s, s:s, s:i, s:s}", "name", i->ifa_name, "state", up ? "up" : "down", "index",
				      (int)if_nametoindex(i->ifa_name), "mac", mac);
			addrs = json_array();
			peers = json_array();
		} else {
			cli_msg(c, -RC_IFACE_LIST, "%s %s (index=%u)", i->ifa_name, up ? "up" : "down",
				if_nametoindex(i->ifa_name));
			cli_msg(c, -RC_IFACE_FLAGS, "\tMAC %s%s%s", mac[0] ? mac : "none",
				i->ifa_flags & IFF_LOOPBACK ? " Loopback" : "", i->ifa_flags & IFF_RUNNING ? " LinkUp" : "");
		}
		for (struct ifaddrs *j = ifa; j; j = j->ifa_next) {
			if (strcmp(j->ifa_name, i->ifa_name) || !j->ifa_addr ||
			    (j->ifa_addr->sa_family != AF_INET && j->ifa_addr->sa_family != AF_INET6) || !j->ifa_netmask)
				continue;
			ip_addr ip;
			char b[IP_STRLEN], line[80];
			if (j->ifa_addr->sa_family == AF_INET)
				ip = ip4_make(ntohl(((struct sockaddr_in *)j->ifa_addr)->sin_addr.s_addr));
			else
				ip = ip_from_bytes(AF_IP6, ((struct sockaddr_in6 *)j->ifa_addr)->sin6_addr.s6_addr);
			snprintf(line, sizeof line, "%s/%d", ip_ntop(ip, b), prefix_len_of(j->ifa_netmask));
			if (addrs)
				json_array_append_new(addrs, json_string(line));
			else
				cli_msg(c, -RC_IFACE_ADDR, "\t%s", line);
		}
		for (struct proto *p = proto_list; p; p = p->next) {
			if (p->class != &proto_bgp || !p->cf)
				continue;
			struct bgp_config *b = (struct bgp_config *)p->cf;
			if (!b->iface || strcmp(b->iface, i->ifa_name))
				continue;
			char ab[IP_STRLEN];
			if (peers)
				json_array_append_new(peers, json_pack("{s:s, s:s, s:s}", "protocol", p->name, "peer_address",
								       ip_ntop(b->remote_ip, ab), "state", bgp_proto_state_text(p)));
			else
				cli_msg(c, -RC_IFACE_ADDR, "\tPeer %s (%s) %s", ip_ntop(b->remote_ip, ab), p->name,
					bgp_proto_state_text(p));
		}
		if (o) {
			json_object_set_new(o, "addresses", addrs);
			json_object_set_new(o, "peers", peers);
			json_array_append_new(arr, o);
		}
	}
	freeifaddrs(ifa);
	if (arr) {
		cli_json(c, RC_JSON, json_pack("{s:o}", "interfaces", arr));
		return;
	}
	cli_ok(c);
}

void bgp_peers_init(void);
void bgp_peers_init(void)
{
	cmd_register(CMD_PEER_SET, cmd_peer_set);
	cmd_register(CMD_PEER_REMOVE, cmd_peer_remove);
	cmd_register(CMD_SHOW_PEERS, cmd_show_peers);
	cmd_register(CMD_SHOW_INTERFACES, cmd_show_interfaces);
}
