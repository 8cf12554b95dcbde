// A responder on one connection answers 100 (count=) requests from another connection.
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void respond(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
    char reply[256];
    int  len = snprintf(reply, sizeof(reply), "reply:%.*s", natsMsg_GetDataLength(msg), natsMsg_GetData(msg));
    if (natsMsg_GetReply(msg) != NULL)
        natsConnection_Publish(nc, natsMsg_GetReply(msg), reply, len);
    natsMsg_Destroy(msg);
}

void scenario_request(void)
{
    const char *servers[8];
    int         nservers = split_list(arg_required("servers"), servers, 8);
    long        count    = arg_long("count", 100);
    const char *subject  = "interop.echo";

    natsConnection   *responder = connect_or_fail(new_options(servers, nservers, "c-request-responder"), "connect responder");
    natsConnection   *requester = connect_or_fail(new_options(servers, nservers, "c-request-requester"), "connect requester");
    natsSubscription *sub       = NULL;
    CHECK(natsConnection_Subscribe(&sub, responder, subject, respond, NULL), "subscribe responder");
    CHECK(natsConnection_Flush(responder), "flush responder");

    set_stage("requesting");
    long repliesOk = 0, repliesBad = 0, errors = 0;
    char firstProblem[256] = "";
    for (long i = 0; i < count; i++)
    {
        char request[32], want[48];
        snprintf(request, sizeof(request), "req-%ld", i);
        snprintf(want, sizeof(want), "reply:req-%ld", i);
        natsMsg   *reply = NULL;
        natsStatus s     = natsConnection_RequestString(&reply, requester, subject, request, 5000);
        if (s != NATS_OK)
        {
            errors++;
            if (!firstProblem[0])
                snprintf(firstProblem, sizeof(firstProblem), "request %ld: %s", i, natsStatus_GetText(s));
            continue;
        }
        if ((size_t)natsMsg_GetDataLength(reply) == strlen(want) && memcmp(natsMsg_GetData(reply), want, strlen(want)) == 0)
            repliesOk++;
        else
        {
            repliesBad++;
            if (!firstProblem[0])
                snprintf(firstProblem, sizeof(firstProblem), "request %ld got '%.*s'", i, natsMsg_GetDataLength(reply), natsMsg_GetData(reply));
        }
        natsMsg_Destroy(reply);
    }

    json_t j;
    json_begin(&j);
    json_bool(&j, "ok", true);
    json_long(&j, "replies_ok", repliesOk);
    json_long(&j, "replies_bad", repliesBad);
    json_long(&j, "errors", errors);
    json_str(&j, "first_problem", firstProblem[0] ? firstProblem : NULL);
    json_emit(&j);

    natsSubscription_Destroy(sub);
    natsConnection_Destroy(requester);
    natsConnection_Destroy(responder);
}
