// JetStream publish from libnats (js_AddStream, js_Publish with acks, Nats-Msg-Id duplicates,
// expected-last-sequence refusals, js_PublishAsync with many in flight, js_GetStreamInfo).
#include "common.h"

#include <string.h>

void scenario_jetstream(void)
{
    const char *servers[8];
    int         nservers = split_list(arg_required("servers"), servers, 8);
    natsConnection *nc   = connect_or_fail(new_options(servers, nservers, "c-jetstream"), "connect");

    jsCtx     *js = NULL;
    jsOptions  jo;
    jsErrCode  jerr = 0;
    CHECK(jsOptions_Init(&jo), "jsOptions_Init");
    CHECK(natsConnection_JetStream(&js, nc, &jo), "JetStream context");

    set_stage("add stream");
    jsStreamConfig sc;
    CHECK(jsStreamConfig_Init(&sc), "jsStreamConfig_Init");
    const char *subjects[] = {"cjs.>"};
    sc.Name        = "CJS";
    sc.Subjects    = subjects;
    sc.SubjectsLen = 1;
    jsStreamInfo *si = NULL;
    CHECK(js_AddStream(&si, js, &sc, NULL, &jerr), "js_AddStream");
    jsStreamInfo_Destroy(si);

    set_stage("publish");
    long long seqs[5];
    char      stream[32] = "";
    for (int i = 0; i < 5; i++)
    {
        jsPubAck *pa  = NULL;
        int       len = 0;
        char     *p   = payload_for(i, &len);
        CHECK(js_Publish(&pa, js, "cjs.a", p, len, NULL, &jerr), "js_Publish");
        seqs[i] = (long long)pa->Sequence;
        snprintf(stream, sizeof(stream), "%s", pa->Stream);
        jsPubAck_Destroy(pa);
    }

    set_stage("duplicates");
    jsPubOptions po;
    CHECK(jsPubOptions_Init(&po), "jsPubOptions_Init");
    po.MsgId        = "dup-1";
    jsPubAck *first = NULL, *second = NULL;
    CHECK(js_Publish(&first, js, "cjs.b", "x", 1, &po, &jerr), "js_Publish with a message id");
    CHECK(js_Publish(&second, js, "cjs.b", "x", 1, &po, &jerr), "js_Publish the same message id");

    set_stage("expected last sequence");
    jsPubOptions wrong;
    CHECK(jsPubOptions_Init(&wrong), "jsPubOptions_Init");
    wrong.ExpectLastSeq = 1;
    jsPubAck  *refused  = NULL;
    jsErrCode  wrongErr = 0;
    natsStatus s        = js_Publish(&refused, js, "cjs.c", "y", 1, &wrong, &wrongErr);

    set_stage("publish async");
    for (int i = 0; i < 200; i++)
        CHECK(js_PublishAsync(js, "cjs.async", "z", 1, NULL), "js_PublishAsync");
    jsPubOptions done;
    CHECK(jsPubOptions_Init(&done), "jsPubOptions_Init");
    done.MaxWait = 10000;
    CHECK(js_PublishAsyncComplete(js, &done), "js_PublishAsyncComplete");

    set_stage("stream info");
    CHECK(js_GetStreamInfo(&si, js, "CJS", NULL, &jerr), "js_GetStreamInfo");

    json_t j;
    json_begin(&j);
    json_bool(&j, "ok", true);
    json_str(&j, "stream", stream);
    json_long_array(&j, "seqs", seqs, 5);
    json_long(&j, "dup_first_seq", (long long)first->Sequence);
    json_long(&j, "dup_second_seq", (long long)second->Sequence);
    json_bool(&j, "dup_second_flag", second->Duplicate);
    json_bool(&j, "wrong_last_refused", s != NATS_OK);
    json_long(&j, "wrong_last_err_code", (long long)wrongErr);
    json_long(&j, "msgs", (long long)si->State.Msgs);
    json_long(&j, "last_seq", (long long)si->State.LastSeq);
    json_emit(&j);

    jsPubAck_Destroy(first);
    jsPubAck_Destroy(second);
    jsPubAck_Destroy(refused);
    jsStreamInfo_Destroy(si);
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
}
