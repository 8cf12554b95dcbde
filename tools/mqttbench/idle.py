#!/usr/bin/env python3
"""Opens N idle MQTT 3.1.1 connections (clean session, keep-alive 0) to 127.0.0.1:PORT, each
CONNACKed, prints "ready", and holds them until stdin closes.  Usage: idle.py PORT N"""
import socket, sys

port, count = int(sys.argv[1]), int(sys.argv[2])

def connect_packet(client_id):
    cid = client_id.encode()
    body = b"\x00\x04MQTT\x04\x02\x00\x00" + len(cid).to_bytes(2, "big") + cid
    return bytes([0x10, len(body)]) + body

sockets = []
for i in range(count):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(connect_packet(f"idle-{i}"))
    connack = s.recv(4)
    if len(connack) < 4 or connack[0] != 0x20 or connack[3] != 0:
        sys.exit(f"connection {i}: no CONNACK accepted: {connack!r}")
    sockets.append(s)
print("ready", flush=True)
sys.stdin.read()
