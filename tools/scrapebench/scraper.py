# Requests one monitoring path back to back (no pause) on one keep-alive connection until the
# stop file exists, then prints how many answers it read. Used by run.sh.
#   python3 scraper.py <monitor port> <path> <stop file>
import http.client
import os
import sys

port = int(sys.argv[1])
path = sys.argv[2]
stop = sys.argv[3]
count = 0
size = 0
connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
while not os.path.exists(stop):
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        print(f"status {response.status}", flush=True)
        sys.exit(1)
    size = len(body)
    count += 1
print(f"scrapes={count} bytes_last={size}", flush=True)
