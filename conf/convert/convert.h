/*
 * metalbird-convert -- MetalLB's configuration as a model, and its output
 *
 * cv_read() reads one YAML file (MetalLB CRDs, any number per file, a List
 * of them, or the legacy ConfigMap) into a cv_model; cv_emit() writes the
 * equivalent metallb.conf (SPEC section 3).  Every field that the output
 * cannot express becomes a note, printed as a comment beside the object it
 * belongs to.  All memory of a model is in its own arena, freed whole by
 * cv_model_free().
 */
#ifndef MB_CONVERT_H
#define MB_CONVERT_H

#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

struct cv_strv {
	char **v;
	int n, cap;
};

struct cv_req {				/* one label selector requirement */
	enum { CV_SEL_EQ, CV_SEL_IN, CV_SEL_NOTIN, CV_SEL_EXISTS, CV_SEL_NOT_EXISTS } op;
	char *key;
	struct cv_strv values;
};

struct cv_sel {				/* a Kubernetes LabelSelector: all requirements hold */
	struct cv_req *r;
	int n;
};

struct cv_obj {				/* what every object has */
	const char *kind;		/* "IPAddressPool", ... */
	char *name, *ns;		/* metadata */
	const char *file;
	int line;
	char *cname;			/* its name in the output config */
	struct cv_strv notes;		/* comments: what the output cannot express */
	struct cv_strv label_keys, label_values;	/* metadata.labels */
};

struct cv_pool {
	struct cv_obj o;
	struct cv_strv addrs;		/* as written in the config */
	int auto_assign;		/* 1, 0 */
	int avoid_buggy;
	int64_t priority;		/* 0 = not set */
	struct cv_strv namespaces;
	struct cv_sel *svc_sels;	/* serviceSelectors */
	int nsvc_sels;
	int has4, has6;			/* families of its addresses */
};

struct cv_peer {
	struct cv_obj o;
	char *addr, *src, *iface, *router_id, *password, *password_secret, *bfd_profile, *vrf;
	char *dynamic_asn;		/* "internal" / "external" */
	int64_t my_asn, peer_asn, local_asn;	/* -1 = not set */
	int64_t port;			/* 0 = default */
	int64_t hold, keepalive, connect;	/* seconds, -1 = not set */
	int gr, multihop;		/* enableGracefulRestart, ebgpMultiHop */
	struct cv_sel *node_sels;
	int nnode_sels;
};

struct cv_adv {
	struct cv_obj o;
	int l2;				/* L2Advertisement, else BGPAdvertisement */
	struct cv_strv pools;		/* ipAddressPools */
	struct cv_sel *pool_sels;	/* ipAddressPoolSelectors */
	int npool_sels;
	struct cv_sel *node_sels, *svc_sels;
	int nnode_sels, nsvc_sels;
	struct cv_strv peers;		/* BGPPeer names */
	struct cv_strv communities;	/* as written */
	struct cv_strv interfaces;	/* L2 */
	int64_t agg4, agg6;		/* -1 = default (32 / 128) */
	int64_t local_pref;		/* 0 = not set */
};

struct cv_bfd {
	struct cv_obj o;
	int64_t rx, tx, mult, echo_interval, min_ttl;	/* -1 = not set */
	int echo_mode, passive;
};

struct cv_model {
	struct cv_arena *arena;
	struct cv_pool **pools;
	struct cv_peer **peers;
	struct cv_adv **advs;
	struct cv_bfd **bfds;
	int npools, npeers, nadvs, nbfds;
	struct cv_strv comm_names, comm_values;	/* Community aliases */
	struct cv_strv files;		/* inputs, for the header */
	struct cv_strv notes;		/* notes about the input as a whole */
	int legacy_l2;			/* a legacy layer2 pool made an advertisement */
};

struct cv_model *cv_model_new(void);
void cv_model_free(struct cv_model *m);
/* Read one file's text.  On an error returns -1 with "FILE:LINE: message". */
int cv_read(struct cv_model *m, const char *file, const char *buf, size_t len, char *err, size_t errlen);
/* Write metallb.conf.  Returns 0, or -1 on a write error. */
int cv_emit(struct cv_model *m, FILE *out);

/* Helpers shared by the reader and the writer */
void *cv_alloc(struct cv_model *m, size_t n);
char *cv_strdup(struct cv_model *m, const char *s);
char *cv_printf(struct cv_model *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cv_push(struct cv_model *m, struct cv_strv *v, const char *s);
int cv_has(const struct cv_strv *v, const char *s);
/* Go's time.Duration text ("90s", "1m30s", "500ms") to milliseconds; -1 if invalid. */
int64_t cv_duration_ms(const char *s);
/* A selector in kubectl's -l form. */
char *cv_sel_text(struct cv_model *m, const struct cv_sel *s);
int cv_sel_match(const struct cv_sel *s, const struct cv_strv *keys, const struct cv_strv *values);

#endif
