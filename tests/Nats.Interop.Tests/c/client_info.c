// The client id and address the server gave in its first INFO must survive later INFOs: the C
// client replaces its copy of INFO with each one, so an asynchronous INFO without client_id
// makes natsConnection_GetClientID report NATS_NO_SERVER_SUPPORT. After our "ready" event the
// harness puts the server in lame duck mode (client-info: its INFO has ldm) or starts a second
// cluster member (client-info-urls: the INFO announces its connect_urls); either INFO must
// still carry client_id/client_ip.
#include "common.h"

#include <stdio.h>
#include <stdlib.h>

static atomic_int g_lame_duck;
static atomic_int g_discovered;

static void on_lame_duck(natsConnection *nc, void *closure) { atomic_store(&g_lame_duck, 1); }
static bool lame_duck_seen(void *unused) { return atomic_load(&g_lame_duck) == 1; }
static void on_discovered(natsConnection *nc, void *closure) { atomic_store(&g_discovered, 1); }
static bool discovered_seen(void *unused) { return atomic_load(&g_discovered) == 1; }

static void run(bool lame_duck)
{
    const char *servers[8];
    int         nservers = split_list(arg_required("servers"), servers, 8);

    natsOptions *opts = new_options(servers, nservers, "c-client-info");
    CHECK(natsOptions_SetLameDuckModeCB(opts, on_lame_duck, NULL), "SetLameDuckModeCB");
    CHECK(natsOptions_SetDiscoveredServersCB(opts, on_discovered, NULL), "SetDiscoveredServersCB");
    natsConnection *nc = connect_or_fail(opts, "connect");

    uint64_t before = 0;
    CHECK(natsConnection_GetClientID(nc, &before), "GetClientID after connect");
    emit_event("ready");

    if (lame_duck)
    {
        set_stage("waiting for the lame duck INFO");
        wait_until(lame_duck_seen, NULL, 15000, "the lame duck mode callback");
    }
    else
    {
        set_stage("waiting for the INFO with the new member's connect_urls");
        wait_until(discovered_seen, NULL, 15000, "the discovered servers callback");
    }

    uint64_t   after    = 0;
    natsStatus idStatus = natsConnection_GetClientID(nc, &after);
    char      *ip       = NULL;
    natsStatus ipStatus = natsConnection_GetClientIP(nc, &ip);

    json_t j;
    json_begin(&j);
    json_bool(&j, "ok", true);
    json_long(&j, "id_before", (long long)before);
    json_long(&j, "id_after", (long long)after);
    json_str(&j, "id_after_status", natsStatus_GetText(idStatus));
    json_str(&j, "ip_after", ipStatus == NATS_OK ? ip : NULL);
    json_str(&j, "ip_after_status", natsStatus_GetText(ipStatus));
    const char **discovered = NULL;
    int          ndiscovered = 0;
    if (natsConnection_GetDiscoveredServers(nc, (char ***)&discovered, &ndiscovered) == NATS_OK)
        json_str_array(&j, "discovered", discovered, ndiscovered);
    else
        json_str_array(&j, "discovered", NULL, 0);
    json_emit(&j);

    for (int i = 0; i < ndiscovered; i++)
        free((char *)discovered[i]);
    free(discovered);
    free(ip);
    natsConnection_Destroy(nc);
}

void scenario_client_info(void) { run(true); }

void scenario_client_info_urls(void) { run(false); }
