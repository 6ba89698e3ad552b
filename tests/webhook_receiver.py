#!/usr/bin/env python3
"""A webhook receiver on loopback for the server tests: records each POST as a JSON line
{"path", "body"} in DIR/hooks.jsonl and writes its port to DIR/hook.port once listening.
The first delivery to each path under /slack fails with HTTP 500, so a server must try
again.  Usage: webhook_receiver.py DIR"""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

out = sys.argv[1]
failed = set()


class Hook(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path.startswith("/slack") and self.path not in failed:
            failed.add(self.path)
            self.send_response(500)
            self.end_headers()
            return
        with open(out + "/hooks.jsonl", "a") as f:
            f.write(json.dumps({"path": self.path, "body": json.loads(body)}) + "\n")
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


server = HTTPServer(("127.0.0.1", 0), Hook)
with open(out + "/hook.port", "w") as f:
    f.write(str(server.server_port))
server.serve_forever()
