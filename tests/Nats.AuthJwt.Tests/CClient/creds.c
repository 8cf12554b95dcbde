// The C client (libnats) with a creds file: connects (the library reads the JWT and signs the
// INFO nonce with the seed), subscribes, publishes to itself and reads the message back.
// Prints "ok <payload>" and exits 0, or "refused <status>" / "error <status>" and exits 2 / 1.
#include <nats/nats.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: creds <url> <creds file> <subject>\n");
        return 64;
    }
    natsConnection *nc = NULL;
    natsOptions *opts = NULL;
    natsSubscription *sub = NULL;
    natsMsg *msg = NULL;
    natsStatus s = natsOptions_Create(&opts);
    if (s == NATS_OK) s = natsOptions_SetURL(opts, argv[1]);
    if (s == NATS_OK) s = natsOptions_SetUserCredentialsFromFiles(opts, argv[2], NULL);
    if (s == NATS_OK) s = natsOptions_SetTimeout(opts, 10000);
    if (s == NATS_OK) s = natsOptions_SetAllowReconnect(opts, false);
    if (s == NATS_OK) s = natsConnection_Connect(&nc, opts);
    if (s != NATS_OK) {
        const char *last = nats_GetLastError(NULL);
        printf("%s %s: %s\n", s == NATS_NOT_PERMITTED || s == NATS_CONNECTION_AUTH_FAILED ? "refused" : "error",
               natsStatus_GetText(s), last != NULL ? last : "");
        natsOptions_Destroy(opts);
        nats_Close();
        return s == NATS_NOT_PERMITTED || s == NATS_CONNECTION_AUTH_FAILED ? 2 : 1;
    }
    s = natsConnection_SubscribeSync(&sub, nc, argv[3]);
    if (s == NATS_OK) s = natsConnection_Flush(nc);
    if (s == NATS_OK) s = natsConnection_PublishString(nc, argv[3], "hello from libnats");
    if (s == NATS_OK) s = natsSubscription_NextMsg(&msg, sub, 10000);
    if (s == NATS_OK) {
        printf("ok %.*s\n", natsMsg_GetDataLength(msg), natsMsg_GetData(msg));
        natsMsg_Destroy(msg);
    } else {
        printf("error %s\n", natsStatus_GetText(s));
    }
    natsSubscription_Destroy(sub);
    natsConnection_Destroy(nc);
    natsOptions_Destroy(opts);
    nats_Close();
    return s == NATS_OK ? 0 : 1;
}
