/*
 * metalbird -- grammar of protocol kubernetes
 */
CF_HDR
#include "proto/kubernetes/k8s.h"
#include "proto/kubernetes/kubeconfig.h"

static struct k8s_config *k8s_cfg(void)
{
	return (struct k8s_config *)this_proto;
}

static void k8s_source(const struct cf_loc *loc)
{
	struct k8s_config *kc = k8s_cfg();
	if (!kc->nsources++)
		kc->src_loc = *loc;
}

CF_DECLS

CF_KEYWORDS(KUBERNETES, KUBECONFIG, API, SERVER, TOKEN, CA, LOAD, BALANCER, CLASS, WRITE, STATUS)

CF_GRAMMAR

proto: kubernetes_proto '}' { proto_config_finish(this_proto); } ;

kubernetes_proto_start: proto_start KUBERNETES {
	this_proto = proto_config_new(&proto_kubernetes, (int)$1, &@2);
   } ;

kubernetes_proto:
   kubernetes_proto_start proto_name '{'
 | kubernetes_proto proto_item ';'
 | kubernetes_proto kubernetes_item ';'
 ;

kubernetes_item:
   STATE FILE STRING {
	if (!*$3)
		cf_error_at(&@3, "state file must not be empty");
	k8s_source(&@1);
	k8s_cfg()->state_file = cf_path($3);
   }
 | KUBECONFIG STRING {
	if (!*$2)
		cf_error_at(&@2, "kubeconfig must not be empty");
	k8s_source(&@1);
	k8s_cfg()->kubeconfig = cf_path($2);
   }
 | API SERVER STRING {
	if (!k8s_url_ok($3))
		cf_error_at(&@3, "api server \"%s\" must be an http:// or https:// URL with a host", $3);
	k8s_source(&@1);
	k8s_cfg()->api_server = $3;
   }
 | TOKEN FILE STRING { k8s_cfg()->token_file = cf_path($3); }
 | CA FILE STRING { k8s_cfg()->ca_file = cf_path($3); }
 | LOAD BALANCER CLASS STRING {
	if (!*$4)
		cf_error_at(&@4, "load balancer class must not be empty (leave it out to serve Services without a class)");
	k8s_cfg()->lb_class = $4;
   }
 | WRITE STATUS bool { k8s_cfg()->write_status = (int)$3; }
 ;

CF_CODE
