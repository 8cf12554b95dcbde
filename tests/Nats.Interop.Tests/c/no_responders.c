// A request to a subject nobody subscribes to must fail at once with NATS_NO_RESPONDERS
// (the server answers with a 503 status), well before the request's own timeout.
#include "common.h"

#include <stdio.h>

void scenario_no_responders(void)
{
    const char *servers[8];
    int         nservers         = split_list(arg_required("servers"), servers, 8);
    long        requestTimeoutMs = arg_long("request_timeout_ms", 5000);

    natsConnection *nc = connect_or_fail(new_options(servers, nservers, "c-no-responders"), "connect");

    int64_t    started = nats_Now();
    natsMsg   *reply   = NULL;
    natsStatus s       = natsConnection_RequestString(&reply, nc, "interop.nobody.home", "anyone?", requestTimeoutMs);
    int64_t    elapsed = nats_Now() - started;

    char message[256];
    snprintf(message, sizeof(message), "%s [status %d]", natsStatus_GetText(s), (int)s);
    json_t j;
    json_begin(&j);
    json_bool(&j, "ok", true);
    json_bool(&j, "no_responders", s == NATS_NO_RESPONDERS);
    json_bool(&j, "got_reply", s == NATS_OK);
    json_str(&j, "error_message", s == NATS_OK ? NULL : message);
    json_long(&j, "elapsed_ms", elapsed);
    json_long(&j, "request_timeout_ms", requestTimeoutMs);
    json_emit(&j);

    natsMsg_Destroy(reply);
    natsConnection_Destroy(nc);
}
