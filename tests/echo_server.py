#!/usr/bin/env python3
"""An API on loopback that answers each GET with what it received: {"path", "authorized",
"authorization", "amz_date"} — for the credentials test, which checks what a run sent and
that the run's traces redact it. Writes its port to DIR/echo.port once listening.
Usage: echo_server.py DIR"""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class Echo(BaseHTTPRequestHandler):
    def do_GET(self):
        auth = self.headers.get("Authorization", "")
        body = json.dumps({"path": self.path, "authorized": auth != "", "authorization": auth,
                           "amz_date": self.headers.get("X-Amz-Date", "")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = HTTPServer(("127.0.0.1", 0), Echo)
with open(sys.argv[1] + "/echo.port", "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
