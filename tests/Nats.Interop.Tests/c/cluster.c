// Client A knows only the seed server; it must learn the other members from INFO
// connect_urls. After our "ready" event the harness kills the seed: A must fail over to
// another member, and traffic must flow between A and a client B on the remaining member.
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static atomic_int g_reconnects;

static void on_reconnected(natsConnection *nc, void *closure) { atomic_fetch_add(&g_reconnects, 1); }
static bool reconnected(void *unused) { return atomic_load(&g_reconnects) >= 1; }

typedef struct
{
    natsConnection *nc;
    const char    **others;
    int             nothers;
    char          **found;  // last natsConnection_GetDiscoveredServers() answer
    int             nfound;
} discovery;

static bool knows_all_others(void *p)
{
    discovery *d = p;
    for (int i = 0; i < d->nfound; i++)
        free(d->found[i]);
    free(d->found);
    d->found  = NULL;
    d->nfound = 0;
    if (natsConnection_GetDiscoveredServers(d->nc, &d->found, &d->nfound) != NATS_OK)
        return false;
    for (int o = 0; o < d->nothers; o++)
    {
        bool seen = false;
        for (int i = 0; i < d->nfound && !seen; i++)
            seen = port_of(d->found[i]) == port_of(d->others[o]);
        if (!seen)
            return false;
    }
    return true;
}

// Non-probe messages received on sub so far; `inOrder` stays true while they are m-0, m-1, ...
static long receive_real(natsSubscription *sub, long want, bool *inOrder, const char *what)
{
    long got = 0;
    while (got < want)
    {
        natsMsg   *msg = NULL;
        natsStatus s   = natsSubscription_NextMsg(&msg, sub, 10000);
        if (s != NATS_OK)
            fail("%s: got %ld of %ld: %s", what, got, want, natsStatus_GetText(s));
        int         len  = natsMsg_GetDataLength(msg);
        const char *data = natsMsg_GetData(msg);
        if (!(len == 5 && memcmp(data, "probe", 5) == 0))
        {
            char expected[32];
            int  elen = snprintf(expected, sizeof(expected), "m-%ld", got);
            if (len != elen || memcmp(data, expected, (size_t)len) != 0)
                *inOrder = false;
            got++;
        }
        natsMsg_Destroy(msg);
    }
    return got;
}

void scenario_cluster(void)
{
    const char *seed[1], *others[8];
    split_list(arg_required("seed"), seed, 1);
    int  nothers = split_list(arg_required("others"), others, 8);
    long count   = arg_long("count", 100);

    natsOptions *opts = new_options(seed, 1, "c-cluster-a");
    CHECK(natsOptions_SetReconnectWait(opts, 200), "SetReconnectWait");
    CHECK(natsOptions_SetReconnectJitter(opts, 0, 0), "SetReconnectJitter");
    CHECK(natsOptions_SetMaxReconnect(opts, 1000), "SetMaxReconnect");
    CHECK(natsOptions_SetReconnectedCB(opts, on_reconnected, NULL), "SetReconnectedCB");
    natsConnection *a = connect_or_fail(opts, "connect A to the seed");

    set_stage("waiting for connect_urls");
    discovery d = {.nc = a, .others = others, .nothers = nothers};
    wait_until(knows_all_others, &d, 10000, "discovered servers listing every other cluster member");

    emit_event("ready");
    set_stage("waiting for fail-over");
    wait_until(reconnected, NULL, 30000, "fail-over after the seed was killed");
    char reconnectedTo[256] = "";
    CHECK(natsConnection_GetConnectedUrl(a, reconnectedTo, sizeof(reconnectedTo)), "GetConnectedUrl");

    // B goes to the surviving member A is not on, so messages must cross a route.
    const char *otherUrl = NULL;
    for (int i = 0; i < nothers && otherUrl == NULL; i++)
        if (port_of(others[i]) != port_of(reconnectedTo))
            otherUrl = others[i];
    if (otherUrl == NULL)
        fail("A reconnected to '%s', which is not one of the other members", reconnectedTo);
    natsConnection *b = connect_or_fail(new_options(&otherUrl, 1, "c-cluster-b"), "connect B");
    char bServer[256] = "";
    CHECK(natsConnection_GetConnectedUrl(b, bServer, sizeof(bServer)), "GetConnectedUrl B");

    natsSubscription *toA = NULL, *toB = NULL;
    CHECK(natsConnection_SubscribeSync(&toA, a, "interop.cluster.to-a"), "subscribe A");
    CHECK(natsConnection_SubscribeSync(&toB, b, "interop.cluster.to-b"), "subscribe B");
    CHECK(natsConnection_Flush(a), "flush A");
    CHECK(natsConnection_Flush(b), "flush B");

    // Interest crosses the route asynchronously: probe until each side sees the other's.
    set_stage("probing for cross-member interest");
    bool    aGotProbe = false, bGotProbe = false;
    int64_t deadline  = nats_Now() + 10000;
    while (!(aGotProbe && bGotProbe))
    {
        if (nats_Now() > deadline)
            fail("subscription interest never propagated between members (A got probe: %d, B got probe: %d)", aGotProbe, bGotProbe);
        CHECK(natsConnection_PublishString(b, "interop.cluster.to-a", "probe"), "probe to A");
        CHECK(natsConnection_PublishString(a, "interop.cluster.to-b", "probe"), "probe to B");
        natsMsg *msg = NULL;
        if (!aGotProbe && natsSubscription_NextMsg(&msg, toA, 50) == NATS_OK)
        {
            aGotProbe = true;
            natsMsg_Destroy(msg);
        }
        if (!bGotProbe && natsSubscription_NextMsg(&msg, toB, 50) == NATS_OK)
        {
            bGotProbe = true;
            natsMsg_Destroy(msg);
        }
    }

    set_stage("exchanging messages across members");
    for (long i = 0; i < count; i++)
    {
        char payload[32];
        snprintf(payload, sizeof(payload), "m-%ld", i);
        CHECK(natsConnection_PublishString(b, "interop.cluster.to-a", payload), "publish to A");
        CHECK(natsConnection_PublishString(a, "interop.cluster.to-b", payload), "publish to B");
    }
    CHECK(natsConnection_Flush(a), "flush A");
    CHECK(natsConnection_Flush(b), "flush B");
    bool aInOrder = true, bInOrder = true;
    long toAReceived = receive_real(toA, count, &aInOrder, "messages to A");
    long toBReceived = receive_real(toB, count, &bInOrder, "messages to B");

    json_t j;
    json_begin(&j);
    json_bool(&j, "ok", true);
    json_str_array(&j, "discovered", (const char **)d.found, d.nfound);
    json_long(&j, "reconnects", atomic_load(&g_reconnects));
    json_str(&j, "reconnected_to", reconnectedTo);
    json_str(&j, "b_server", bServer);
    json_long(&j, "to_a_received", toAReceived);
    json_long(&j, "to_b_received", toBReceived);
    json_bool(&j, "to_a_in_order", aInOrder);
    json_bool(&j, "to_b_in_order", bInOrder);
    json_emit(&j);

    natsSubscription_Destroy(toA);
    natsSubscription_Destroy(toB);
    natsConnection_Destroy(b);
    natsConnection_Destroy(a);
}
