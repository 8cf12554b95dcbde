// 1000 (count=) messages from one connection to a subscriber on another: all must arrive,
// in publish order, byte-for-byte.
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void scenario_pubsub(void)
{
    const char *servers[8];
    int         nservers = split_list(arg_required("servers"), servers, 8);
    long        count    = arg_long("count", 1000);
    const char *subject  = arg_str("subject", "interop.pubsub");

    natsConnection   *subConn = connect_or_fail(new_options(servers, nservers, "c-pubsub-sub"), "connect subscriber");
    natsConnection   *pubConn = connect_or_fail(new_options(servers, nservers, "c-pubsub-pub"), "connect publisher");
    natsSubscription *sub     = NULL;
    CHECK(natsConnection_SubscribeSync(&sub, subConn, subject), "subscribe");
    // The subscription must be registered on the server before the first publish.
    CHECK(natsConnection_Flush(subConn), "flush subscriber");

    set_stage("publishing");
    for (long i = 0; i < count; i++)
    {
        int   len;
        char *payload = payload_for(i, &len);
        CHECK(natsConnection_Publish(pubConn, subject, payload, len), "publish");
        free(payload);
    }
    CHECK(natsConnection_Flush(pubConn), "flush publisher");

    set_stage("receiving");
    long received = 0, outOfOrder = 0, badPayloads = 0, expected = 0;
    char firstProblem[256] = "";
    while (received < count)
    {
        natsMsg   *msg = NULL;
        natsStatus s   = natsSubscription_NextMsg(&msg, sub, 10000);
        if (s != NATS_OK)
            fail("received %ld of %ld messages: %s", received, count, natsStatus_GetText(s));
        const char *data  = natsMsg_GetData(msg);
        int         len   = natsMsg_GetDataLength(msg);
        long        index = strtol(data, NULL, 10);
        if (index != expected)
        {
            outOfOrder++;
            if (!firstProblem[0])
                snprintf(firstProblem, sizeof(firstProblem), "expected index %ld, got %ld", expected, index);
        }
        int   wantLen;
        char *want = payload_for(index, &wantLen);
        if (len != wantLen || memcmp(data, want, (size_t)len) != 0)
        {
            badPayloads++;
            if (!firstProblem[0])
                snprintf(firstProblem, sizeof(firstProblem), "payload mismatch at index %ld (length %d)", index, len);
        }
        free(want);
        expected = index + 1;
        received++;
        natsMsg_Destroy(msg);
    }
    // One more round trip so duplicates, if the server sent any, are counted too.
    CHECK(natsConnection_Flush(subConn), "final flush");
    uint64_t queued = 0;
    CHECK(natsSubscription_QueuedMsgs(sub, &queued), "queued messages");

    json_t j;
    json_begin(&j);
    json_bool(&j, "ok", true);
    json_long(&j, "received", received + (long long)queued);
    json_long(&j, "out_of_order", outOfOrder);
    json_long(&j, "bad_payloads", badPayloads);
    json_str(&j, "first_problem", firstProblem[0] ? firstProblem : NULL);
    json_emit(&j);

    natsSubscription_Destroy(sub);
    natsConnection_Destroy(pubConn);
    natsConnection_Destroy(subConn);
}
