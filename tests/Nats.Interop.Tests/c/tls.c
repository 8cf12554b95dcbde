// A client trusting the test CA connects over TLS and exchanges messages; a client that does
// not trust it is refused, which proves the session really was TLS-verified.
#include "common.h"

#include <stdio.h>

void scenario_tls(void)
{
    const char *servers[8];
    int         nservers = split_list(arg_required("servers"), servers, 8);
    long        count    = arg_long("count", 10);

    natsOptions *opts = new_options(servers, nservers, "c-tls");
    CHECK(natsOptions_SetSecure(opts, true), "SetSecure");
    CHECK(natsOptions_LoadCATrustedCertificates(opts, arg_required("ca_file")), "LoadCATrustedCertificates");
    natsConnection *nc = connect_or_fail(opts, "connect over TLS");

    natsSubscription *sub = NULL;
    CHECK(natsConnection_SubscribeSync(&sub, nc, "interop.tls"), "subscribe");
    CHECK(natsConnection_Flush(nc), "flush");
    for (long i = 0; i < count; i++)
    {
        char payload[32];
        snprintf(payload, sizeof(payload), "secure-%ld", i);
        CHECK(natsConnection_PublishString(nc, "interop.tls", payload), "publish");
    }
    CHECK(natsConnection_Flush(nc), "flush");
    long received = 0;
    for (; received < count; received++)
    {
        natsMsg *msg = NULL;
        CHECK(natsSubscription_NextMsg(&msg, sub, 5000), "receive over TLS");
        natsMsg_Destroy(msg);
    }
    natsSubscription_Destroy(sub);
    natsConnection_Destroy(nc);

    // Same server, no CA: the library falls back to the system trust store, which does not
    // know our throwaway CA.
    natsOptions *untrustedOpts = new_options(servers, nservers, "c-tls-untrusted");
    CHECK(natsOptions_SetSecure(untrustedOpts, true), "SetSecure");
    CHECK(natsOptions_SetAllowReconnect(untrustedOpts, false), "SetAllowReconnect");
    natsConnection *untrusted = NULL;
    natsStatus      s         = natsConnection_Connect(&untrusted, untrustedOpts);
    char            untrustedError[512];
    if (s == NATS_OK)
        natsConnection_Destroy(untrusted);
    else
        snprintf(untrustedError, sizeof(untrustedError), "%s: %s", natsStatus_GetText(s), last_error());

    json_t j;
    json_begin(&j);
    json_bool(&j, "ok", true);
    // Reaching here with TLS required by the client means the server offered TLS.
    json_bool(&j, "server_tls_required", true);
    json_long(&j, "received", received);
    json_str(&j, "untrusted_error", s == NATS_OK ? NULL : untrustedError);
    json_emit(&j);
}
