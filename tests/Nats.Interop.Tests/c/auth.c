// mode=token|user|nkey: the right credentials connect and carry a message; wrong or missing
// credentials are refused with the server's "Authorization Violation".
#include "common.h"

#include <stdio.h>
#include <string.h>

static natsOptions *options_for(const char **servers, int nservers, const char *name, int which)
{
    // which: 0 = right credentials, 1 = wrong credentials, 2 = none
    const char  *mode = arg_required("mode");
    natsOptions *opts = new_options(servers, nservers, name);
    CHECK(natsOptions_SetAllowReconnect(opts, false), "SetAllowReconnect");
    if (which == 2)
        return opts;
    if (strcmp(mode, "token") == 0)
        CHECK(natsOptions_SetToken(opts, arg_required(which == 0 ? "token" : "bad_token")), "SetToken");
    else if (strcmp(mode, "user") == 0)
        CHECK(natsOptions_SetUserInfo(opts, arg_required("user"), arg_required(which == 0 ? "pass" : "bad_pass")), "SetUserInfo");
    else if (strcmp(mode, "nkey") == 0)
        CHECK(natsOptions_SetNKeyFromSeed(opts, arg_required(which == 0 ? "nkey_pub" : "bad_nkey_pub"),
                                          arg_required(which == 0 ? "nkey_seed_file" : "bad_nkey_seed_file")),
              "SetNKeyFromSeed");
    else
        fail("unknown mode '%s'", mode);
    return opts;
}

// The library's error text for a connect expected to be refused; NULL if it connected.
static char *refusal(natsOptions *opts)
{
    static char     buffers[2][512];
    static int      next;
    natsConnection *nc = NULL;
    natsStatus      s  = natsConnection_Connect(&nc, opts);
    natsOptions_Destroy(opts);
    if (s == NATS_OK)
    {
        natsConnection_Destroy(nc);
        return NULL;
    }
    char *buf = buffers[next++ % 2];
    snprintf(buf, sizeof(buffers[0]), "%s: %s", natsStatus_GetText(s), last_error());
    return buf;
}

void scenario_auth(void)
{
    const char *servers[8];
    int         nservers = split_list(arg_required("servers"), servers, 8);

    natsConnection   *nc  = connect_or_fail(options_for(servers, nservers, "c-auth-good", 0), "connect with the right credentials");
    natsSubscription *sub = NULL;
    CHECK(natsConnection_SubscribeSync(&sub, nc, "interop.auth"), "subscribe");
    CHECK(natsConnection_Flush(nc), "flush");
    CHECK(natsConnection_PublishString(nc, "interop.auth", "hello"), "publish");
    natsMsg *msg = NULL;
    CHECK(natsSubscription_NextMsg(&msg, sub, 5000), "receive on the authenticated connection");
    natsMsg_Destroy(msg);
    natsSubscription_Destroy(sub);
    natsConnection_Destroy(nc);

    const char *badError  = refusal(options_for(servers, nservers, "c-auth-bad", 1));
    const char *noneError = refusal(options_for(servers, nservers, "c-auth-none", 2));

    json_t j;
    json_begin(&j);
    json_bool(&j, "ok", true);
    json_bool(&j, "good_connected", true);
    json_bool(&j, "good_roundtrip", true);
    json_str(&j, "bad_error", badError);
    json_str(&j, "none_error", noneError);
    json_emit(&j);
}
