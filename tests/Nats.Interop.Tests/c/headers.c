// Messages with headers (one key carrying several values, one header-only message with an
// empty payload) arrive with every header value intact and in order.
#include "common.h"

#include <stdlib.h>
#include <string.h>

static void publish_with_headers(natsConnection *nc, const char *subject, const char *payload,
                                 const char *const *kv, int pairs)
{
    natsMsg *msg = NULL;
    CHECK(natsMsg_Create(&msg, subject, NULL, payload, (int)strlen(payload)), "natsMsg_Create");
    for (int i = 0; i < pairs; i++)
        CHECK(natsMsgHeader_Add(msg, kv[2 * i], kv[2 * i + 1]), "natsMsgHeader_Add");
    CHECK(natsConnection_PublishMsg(nc, msg), "publish message with headers");
    natsMsg_Destroy(msg);
}

static void describe(json_t *j, natsMsg *msg)
{
    json_open_object(j, NULL);
    char *payload = strndup(natsMsg_GetData(msg) ? natsMsg_GetData(msg) : "", (size_t)natsMsg_GetDataLength(msg));
    json_str(j, "payload", payload);
    free(payload);

    json_open_object(j, "headers");
    const char **keys  = NULL;
    int          nkeys = 0;
    natsStatus   s     = natsMsgHeader_Keys(msg, &keys, &nkeys);
    if (s != NATS_OK && s != NATS_NOT_FOUND)
        fail("natsMsgHeader_Keys: %s", natsStatus_GetText(s));
    for (int k = 0; k < nkeys; k++)
    {
        const char **values  = NULL;
        int          nvalues = 0;
        CHECK(natsMsgHeader_Values(msg, keys[k], &values, &nvalues), "natsMsgHeader_Values");
        json_str_array(j, keys[k], values, nvalues);
        free((void *)values);
    }
    free((void *)keys);
    json_close_object(j);
    json_close_object(j);
}

void scenario_headers(void)
{
    const char *servers[8];
    int         nservers = split_list(arg_required("servers"), servers, 8);
    const char *subject  = "interop.headers";

    natsConnection   *subConn = connect_or_fail(new_options(servers, nservers, "c-headers-sub"), "connect subscriber");
    natsConnection   *pubConn = connect_or_fail(new_options(servers, nservers, "c-headers-pub"), "connect publisher");
    natsSubscription *sub     = NULL;
    CHECK(natsConnection_SubscribeSync(&sub, subConn, subject), "subscribe");
    CHECK(natsConnection_Flush(subConn), "flush subscriber");

    const char *first[] = {"X-Multi", "one", "X-Multi", "two", "X-Multi", "three", "X-Single", "a value with spaces"};
    publish_with_headers(pubConn, subject, "with-headers", first, 4);
    const char *second[] = {"X-Only", "1"};
    publish_with_headers(pubConn, subject, "", second, 1);
    CHECK(natsConnection_Flush(pubConn), "flush publisher");

    set_stage("receiving");
    json_t j;
    json_begin(&j);
    json_bool(&j, "ok", true);
    json_open_array(&j, "messages");
    for (int i = 0; i < 2; i++)
    {
        natsMsg *msg = NULL;
        CHECK(natsSubscription_NextMsg(&msg, sub, 10000), "receive message with headers");
        describe(&j, msg);
        natsMsg_Destroy(msg);
    }
    json_close_array(&j);
    json_emit(&j);

    natsSubscription_Destroy(sub);
    natsConnection_Destroy(pubConn);
    natsConnection_Destroy(subConn);
}
