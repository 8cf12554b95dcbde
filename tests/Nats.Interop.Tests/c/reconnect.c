// The harness restarts the server on the same port after our "ready" event. The connection
// must notice, reconnect by itself, replay its subscription, and carry traffic both ways.
#include "common.h"

#include <stdio.h>
#include <string.h>

static atomic_int g_disconnects, g_reconnects;

static void on_disconnected(natsConnection *nc, void *closure) { atomic_fetch_add(&g_disconnects, 1); }
static void on_reconnected(natsConnection *nc, void *closure) { atomic_fetch_add(&g_reconnects, 1); }
static bool reconnected(void *unused) { return atomic_load(&g_reconnects) >= 1; }

// Receives exactly n messages on sub or fails.
static void expect_messages(natsSubscription *sub, long n, const char *what)
{
    for (long i = 0; i < n; i++)
    {
        natsMsg   *msg = NULL;
        natsStatus s   = natsSubscription_NextMsg(&msg, sub, 10000);
        if (s != NATS_OK)
            fail("%s: got %ld of %ld: %s", what, i, n, natsStatus_GetText(s));
        natsMsg_Destroy(msg);
    }
}

void scenario_reconnect(void)
{
    const char *servers[8];
    int         nservers = split_list(arg_required("servers"), servers, 8);
    long        count    = arg_long("count", 10);
    const char *replayed = "interop.reconnect.replayed";
    const char *fresh    = "interop.reconnect.fresh";

    natsOptions *opts = new_options(servers, nservers, "c-reconnect");
    CHECK(natsOptions_SetReconnectWait(opts, 200), "SetReconnectWait");
    CHECK(natsOptions_SetReconnectJitter(opts, 0, 0), "SetReconnectJitter");
    CHECK(natsOptions_SetMaxReconnect(opts, 1000), "SetMaxReconnect");
    CHECK(natsOptions_SetDisconnectedCB(opts, on_disconnected, NULL), "SetDisconnectedCB");
    CHECK(natsOptions_SetReconnectedCB(opts, on_reconnected, NULL), "SetReconnectedCB");
    natsConnection *nc = connect_or_fail(opts, "connect");

    natsSubscription *replayedSub = NULL;
    CHECK(natsConnection_SubscribeSync(&replayedSub, nc, replayed), "subscribe");
    CHECK(natsConnection_Flush(nc), "flush");
    CHECK(natsConnection_PublishString(nc, replayed, "before"), "publish before restart");
    expect_messages(replayedSub, 1, "message before the restart");

    emit_event("ready");
    set_stage("waiting for the reconnect");
    wait_until(reconnected, NULL, 30000, "reconnect after the server restart");

    // A brand-new connection proves the restarted server has the replayed subscription.
    natsConnection   *other    = connect_or_fail(new_options(servers, nservers, "c-reconnect-other"), "connect second client");
    natsSubscription *freshSub = NULL;
    CHECK(natsConnection_SubscribeSync(&freshSub, other, fresh), "subscribe on second client");
    CHECK(natsConnection_Flush(other), "flush second client");
    for (long i = 0; i < count; i++)
    {
        char payload[64];
        snprintf(payload, sizeof(payload), "after-%ld", i);
        CHECK(natsConnection_PublishString(other, replayed, payload), "publish to the replayed subscription");
        snprintf(payload, sizeof(payload), "from-reconnected-%ld", i);
        CHECK(natsConnection_PublishString(nc, fresh, payload), "publish from the reconnected client");
    }
    CHECK(natsConnection_Flush(other), "flush second client");
    CHECK(natsConnection_Flush(nc), "flush reconnected client");
    set_stage("receiving after the reconnect");
    expect_messages(replayedSub, count, "messages on the replayed subscription");
    expect_messages(freshSub, count, "messages from the reconnected client");

    json_t j;
    json_begin(&j);
    json_bool(&j, "ok", true);
    json_long(&j, "disconnects", atomic_load(&g_disconnects));
    json_long(&j, "reconnects", atomic_load(&g_reconnects));
    json_long(&j, "before_received", 1);
    json_long(&j, "replayed_received", count);
    json_long(&j, "fresh_received", count);
    json_emit(&j);

    natsSubscription_Destroy(freshSub);
    natsSubscription_Destroy(replayedSub);
    natsConnection_Destroy(other);
    natsConnection_Destroy(nc);
}
