# Sourced by run.sh and cut-under-load.sh (which set HERE, NB, WORK, COUNT and SIZE): one
# round's set-up and its end, the same for both.

# Starts a fresh server from TEMPLATE ('... -c {conf}', max_pending 1MB), warms it up on
# another subject (so that start-up and JIT are not what is measured) and, with MODE stuck,
# connects the subscriber that never reads. Sets PORT, PID, STUCK ("" without one) and LOG.
start_round() {
    local template=$1 mode=$2 conf
    PORT=$("$NB" freeport)
    conf=$WORK/conf.$PORT
    LOG=$WORK/server.$PORT.log
    STUCK=""
    printf 'host: "127.0.0.1"\nport: %s\nmax_pending: 1MB\n' "$PORT" >"$conf"
    bash -c "exec ${template//\{conf\}/$conf}" >"$LOG" 2>&1 &
    PID=$!
    "$NB" info -s "127.0.0.1:$PORT" -t 30 >/dev/null
    "$NB" pubsub -s "127.0.0.1:$PORT" -n "$COUNT" -z "$SIZE" -k 1 --raw --subj warm.up -t 20 >/dev/null
    if [ "$mode" = stuck ]; then
        python3 "$HERE/stuck_client.py" "127.0.0.1:$PORT" stuck.test 60 >"$WORK/stuck.out" &
        STUCK=$!
        for _ in $(seq 100); do grep -q ready "$WORK/stuck.out" 2>/dev/null && break; sleep 0.1; done
    fi
}

# The healthy 1:1 pair on the stuck one's subject: natsbench's RESULT line.
healthy_pair() {
    "$NB" pubsub -s "127.0.0.1:$PORT" -n "$COUNT" -z "$SIZE" -k 1 --raw --subj stuck.test -t 20 | grep '^RESULT' || true
}

# Stops the stuck client and the server.
end_round() {
    if [ -n "$STUCK" ]; then kill "$STUCK" 2>/dev/null || true; fi
    kill "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
}
