#!/usr/bin/env python3
"""A subscriber that never reads: connects, subscribes, confirms with PING/PONG, then sleeps.

Usage: stuck_client.py HOST:PORT SUBJECT SECONDS
Prints "ready" once the server has its subscription, then holds the socket open without
reading for SECONDS (the server must cut it off as a slow consumer). A small receive buffer
makes the kernel stop accepting its data early, as a real stuck process's would.
"""
import socket
import sys
import time

host, port = sys.argv[1].rsplit(":", 1)
subject, seconds = sys.argv[2], float(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.settimeout(10)
s.connect((host, int(port)))
s.sendall(f"CONNECT {{\"verbose\":false,\"pedantic\":false}}\r\nSUB {subject} 1\r\nPING\r\n".encode())
seen = b""
while b"PONG\r\n" not in seen:
    chunk = s.recv(4096)
    if not chunk:
        sys.exit("server closed before PONG")
    seen += chunk
print("ready", flush=True)
time.sleep(seconds)
s.close()
