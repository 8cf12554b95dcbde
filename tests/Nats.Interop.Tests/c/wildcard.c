// Subscriptions with '*' and '>' wildcards each receive exactly the subjects they match,
// in publish order.
#include "common.h"

#include <stdlib.h>
#include <string.h>

// Kept identical to js/scenarios/wildcard.mjs; the NUnit test holds the expected lists.
static const char *PUBLISHED[] = {"wc.a", "wc.a.b", "wc.b", "wc", "other.a", "wc.a.baz", "wc.end", "wc.end.baz"};
#define NPUB ((int)(sizeof(PUBLISHED) / sizeof(PUBLISHED[0])))

typedef struct
{
    natsSubscription *sub;
    const char       *marker;  // the last subject this subscription is expected to match
    const char       *got[32];
    int               n;
} wc_sub;

static void take(wc_sub *w, natsMsg *msg)
{
    if (w->n < 32)
        w->got[w->n++] = strdup(natsMsg_GetSubject(msg));
    natsMsg_Destroy(msg);
}

void scenario_wildcard(void)
{
    const char *servers[8];
    int         nservers = split_list(arg_required("servers"), servers, 8);

    natsConnection *subConn = connect_or_fail(new_options(servers, nservers, "c-wildcard-sub"), "connect subscriber");
    natsConnection *pubConn = connect_or_fail(new_options(servers, nservers, "c-wildcard-pub"), "connect publisher");

    wc_sub subs[3] = {{.marker = "wc.end"}, {.marker = "wc.end.baz"}, {.marker = "wc.end.baz"}};
    const char *patterns[3] = {"wc.*", "wc.>", "wc.*.baz"};
    for (int i = 0; i < 3; i++)
        CHECK(natsConnection_SubscribeSync(&subs[i].sub, subConn, patterns[i]), "subscribe");
    CHECK(natsConnection_Flush(subConn), "flush subscriber");

    for (int i = 0; i < NPUB; i++)
        CHECK(natsConnection_Publish(pubConn, PUBLISHED[i], NULL, 0), "publish");
    CHECK(natsConnection_Flush(pubConn), "flush publisher");

    set_stage("waiting for the end markers");
    for (int i = 0; i < 3; i++)
    {
        while (subs[i].n == 0 || strcmp(subs[i].got[subs[i].n - 1], subs[i].marker) != 0)
        {
            natsMsg *msg = NULL;
            natsStatus s = natsSubscription_NextMsg(&msg, subs[i].sub, 10000);
            if (s != NATS_OK)
                fail("subscription '%s' got %d messages, no '%s': %s", patterns[i], subs[i].n, subs[i].marker, natsStatus_GetText(s));
            take(&subs[i], msg);
        }
    }
    // Anything delivered after the markers (a wrong match) is already queued after this round trip.
    CHECK(natsConnection_Flush(subConn), "final flush");
    for (int i = 0; i < 3; i++)
    {
        uint64_t queued = 0;
        CHECK(natsSubscription_QueuedMsgs(subs[i].sub, &queued), "queued messages");
        for (uint64_t k = 0; k < queued; k++)
        {
            natsMsg *msg = NULL;
            CHECK(natsSubscription_NextMsg(&msg, subs[i].sub, 1000), "next queued message");
            take(&subs[i], msg);
        }
    }

    json_t j;
    json_begin(&j);
    json_bool(&j, "ok", true);
    json_str_array(&j, "star", subs[0].got, subs[0].n);
    json_str_array(&j, "gt", subs[1].got, subs[1].n);
    json_str_array(&j, "star_baz", subs[2].got, subs[2].n);
    json_emit(&j);

    for (int i = 0; i < 3; i++)
        natsSubscription_Destroy(subs[i].sub);
    natsConnection_Destroy(pubConn);
    natsConnection_Destroy(subConn);
}
