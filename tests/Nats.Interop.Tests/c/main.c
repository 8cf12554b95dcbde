// libnats interop scenarios, one binary: nats-c-scenarios <scenario> key=value ...
//
// Output contract (shared with js/run.mjs, parsed by the NUnit harness):
//  - progress events: one JSON line each, with an "event" field ({"event":"ready"});
//  - last line: the result, {"ok":true|false,"error":...,<observations>};
//  - a watchdog thread reports {"ok":false,"error":"timeout ..."} after timeout_ms, so a hung
//    client still produces a diagnosable result.
#include "common.h"

#include <stdio.h>
#include <string.h>

void scenario_pubsub(void);
void scenario_wildcard(void);
void scenario_queue(void);
void scenario_request(void);
void scenario_headers(void);
void scenario_no_responders(void);
void scenario_reconnect(void);
void scenario_cluster(void);
void scenario_auth(void);
void scenario_tls(void);
void scenario_client_info(void);
void scenario_client_info_urls(void);
void scenario_jetstream(void);
void scenario_handshake_order(void);

static const struct
{
    const char *name;
    void (*run)(void);
} SCENARIOS[] = {
    {"pubsub", scenario_pubsub},
    {"wildcard", scenario_wildcard},
    {"queue", scenario_queue},
    {"request", scenario_request},
    {"headers", scenario_headers},
    {"no-responders", scenario_no_responders},
    {"reconnect", scenario_reconnect},
    {"cluster", scenario_cluster},
    {"auth", scenario_auth},
    {"tls", scenario_tls},
    {"client-info", scenario_client_info},
    {"client-info-urls", scenario_client_info_urls},
    {"jetstream", scenario_jetstream},
    {"handshake-order", scenario_handshake_order},
};

int main(int argc, char **argv)
{
    // stdout is a pipe: without line buffering, events would sit in the buffer until exit.
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2)
        fail("usage: %s <scenario> key=value ...", argv[0]);
    args_init(argc - 2, argv + 2);

    for (size_t i = 0; i < sizeof(SCENARIOS) / sizeof(SCENARIOS[0]); i++)
    {
        if (strcmp(SCENARIOS[i].name, argv[1]) == 0)
        {
            start_watchdog(argv[1], arg_long("timeout_ms", 20000));
            // Scenarios print their own result line and return; all failures exit via fail().
            SCENARIOS[i].run();
            return 0;
        }
    }
    fail("unknown scenario '%s'", argv[1]);
}
