// A server must answer a client's first PING with PONG before any asynchronous INFO, even when
// the cluster's connect_urls changed between the client's CONNECT and that PING: libnats reads
// the handshake's reply synchronously and fails the connect on "Expected 'PONG', got 'INFO'".
// The harness connects us through a relay that holds our PING while a second member joins the
// cluster, then lets it through; the new member's URL must still reach us, after the PONG.
#include "common.h"

#include <stdlib.h>

static bool has_discovered(void *nc)
{
    char **servers = NULL;
    int    count   = 0;
    if (natsConnection_GetDiscoveredServers((natsConnection *)nc, &servers, &count) != NATS_OK)
        return false;
    for (int i = 0; i < count; i++)
        free(servers[i]);
    free(servers);
    return count > 0;
}

void scenario_handshake_order(void)
{
    const char *servers[8];
    int         nservers = split_list(arg_required("servers"), servers, 8);

    natsOptions *opts = new_options(servers, nservers, "c-handshake-order");
    // The relay holds the PING while the harness opens the route and waits for its INFO.
    CHECK(natsOptions_SetTimeout(opts, arg_long("connect_timeout_ms", 30000)), "natsOptions_SetTimeout");
    set_stage("connecting (the relay holds the first PING)");
    natsConnection *nc = connect_or_fail(opts, "connect");
    emit_event("connected");

    set_stage("waiting for the INFO with the new member's connect_urls");
    wait_until(has_discovered, nc, 15000, "a discovered server");
    char **discovered  = NULL;
    int    ndiscovered = 0;
    CHECK(natsConnection_GetDiscoveredServers(nc, &discovered, &ndiscovered), "GetDiscoveredServers");

    json_t j;
    json_begin(&j);
    json_bool(&j, "ok", true);
    json_str_array(&j, "discovered", (const char **)discovered, ndiscovered);
    json_emit(&j);

    for (int i = 0; i < ndiscovered; i++)
        free(discovered[i]);
    free(discovered);
    natsConnection_Destroy(nc);
    natsOptions_Destroy(opts);
}
