// Three queue subscribers (one group, separate connections) and one plain subscriber: each
// message goes to exactly one group member and also to the plain subscriber.
#include "common.h"

#include <stdio.h>
#include <stdlib.h>

#define MEMBERS 3

typedef struct
{
    long        count;
    atomic_long memberCounts[MEMBERS];
    atomic_long groupTotal;
    atomic_int *groupSeen;  // per message index: deliveries within the group
    atomic_long plainTotal;
    atomic_int *plainSeen;
} queue_state;

typedef struct
{
    queue_state *st;
    int          member;  // -1 for the plain subscriber
} queue_sub_ctx;

static void on_msg(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
    queue_sub_ctx *ctx   = closure;
    long           index = strtol(natsMsg_GetData(msg), NULL, 10);
    if (index >= 0 && index < ctx->st->count)
    {
        if (ctx->member >= 0)
        {
            atomic_fetch_add(&ctx->st->groupSeen[index], 1);
            atomic_fetch_add(&ctx->st->memberCounts[ctx->member], 1);
            atomic_fetch_add(&ctx->st->groupTotal, 1);
        }
        else
        {
            atomic_fetch_add(&ctx->st->plainSeen[index], 1);
            atomic_fetch_add(&ctx->st->plainTotal, 1);
        }
    }
    natsMsg_Destroy(msg);
}

static bool all_delivered(void *p)
{
    queue_state *st = p;
    return atomic_load(&st->groupTotal) >= st->count && atomic_load(&st->plainTotal) >= st->count;
}

void scenario_queue(void)
{
    const char *servers[8];
    int         nservers = split_list(arg_required("servers"), servers, 8);
    const char *subject  = "interop.queue";
    queue_state st       = {.count = arg_long("count", 300)};
    st.groupSeen         = calloc((size_t)st.count, sizeof(atomic_int));
    st.plainSeen         = calloc((size_t)st.count, sizeof(atomic_int));

    natsConnection  *conns[MEMBERS + 1];
    natsSubscription *subs[MEMBERS + 1];
    queue_sub_ctx    ctx[MEMBERS + 1];
    for (int i = 0; i <= MEMBERS; i++)
    {
        char name[32];
        snprintf(name, sizeof(name), i < MEMBERS ? "c-queue-member-%d" : "c-queue-plain", i);
        conns[i] = connect_or_fail(new_options(servers, nservers, name), "connect subscriber");
        ctx[i]   = (queue_sub_ctx){.st = &st, .member = i < MEMBERS ? i : -1};
        if (i < MEMBERS)
            CHECK(natsConnection_QueueSubscribe(&subs[i], conns[i], subject, "workers", on_msg, &ctx[i]), "queue subscribe");
        else
            CHECK(natsConnection_Subscribe(&subs[i], conns[i], subject, on_msg, &ctx[i]), "subscribe");
        CHECK(natsConnection_Flush(conns[i]), "flush subscriber");
    }
    natsConnection *pub = connect_or_fail(new_options(servers, nservers, "c-queue-pub"), "connect publisher");

    for (long i = 0; i < st.count; i++)
    {
        char payload[32];
        int  len = snprintf(payload, sizeof(payload), "%ld", i);
        CHECK(natsConnection_Publish(pub, subject, payload, len), "publish");
    }
    CHECK(natsConnection_Flush(pub), "flush publisher");
    set_stage("waiting for deliveries");
    wait_until(all_delivered, &st, 15000, "every message delivered to the group and to the plain subscriber");
    // Let any duplicate deliveries already sent by the server arrive before counting.
    for (int i = 0; i <= MEMBERS; i++)
        CHECK(natsConnection_Flush(conns[i]), "final flush");
    nats_Sleep(20);  // callbacks run on delivery threads; give the last ones a moment to finish

    long long memberCounts[MEMBERS];
    long      groupUnique = 0, groupDuplicates = 0, plainUnique = 0;
    for (int i = 0; i < MEMBERS; i++)
        memberCounts[i] = atomic_load(&st.memberCounts[i]);
    for (long i = 0; i < st.count; i++)
    {
        int g = atomic_load(&st.groupSeen[i]);
        groupUnique += g > 0;
        groupDuplicates += g > 1 ? g - 1 : 0;
        plainUnique += atomic_load(&st.plainSeen[i]) > 0;
    }

    json_t j;
    json_begin(&j);
    json_bool(&j, "ok", true);
    json_long_array(&j, "queue_counts", memberCounts, MEMBERS);
    json_long(&j, "queue_unique", groupUnique);
    json_long(&j, "queue_duplicates", groupDuplicates);
    json_long(&j, "plain_received", atomic_load(&st.plainTotal));
    json_long(&j, "plain_unique", plainUnique);
    json_emit(&j);

    natsConnection_Destroy(pub);
    for (int i = 0; i <= MEMBERS; i++)
    {
        natsSubscription_Destroy(subs[i]);
        natsConnection_Destroy(conns[i]);
    }
}
