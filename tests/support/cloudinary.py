"""A local stand-in for Cloudinary's upload API: the outside world that avatar and badge
image uploads reach, stubbed at its HTTP boundary (the cloudinary SDK and our code run
as they do in production)."""

import json
import threading
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_KEY, API_SECRET, CLOUD = "KEY123", "SECRET456", "demo-cloud"


def cloudinary_url(upload_prefix: str) -> str:
    """The CLOUDINARY_URL of a server whose uploads go to `upload_prefix`."""
    return f"cloudinary://{API_KEY}:{API_SECRET}@{CLOUD}?upload_prefix={upload_prefix}"


class CloudinaryStub:
    """Cloudinary's upload endpoint (POST /v1_1/<cloud>/image/upload, multipart) on
    127.0.0.1. Records each request's form fields and answers with `reply`."""

    def __init__(self):
        self.requests: list[dict] = []
        self.reply: tuple[int, bytes] = (200, b"{}")
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
                message = BytesParser(policy=HTTP).parsebytes(head + body)
                fields = {
                    part.get_param("name", header="content-disposition"): part.get_payload(decode=True)
                    for part in message.iter_parts()
                }
                stub.requests.append({"path": self.path, "fields": fields})
                status, payload = stub.reply
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, status: int, payload) -> None:
        """What the next uploads get: a status and a JSON body (or raw bytes)."""
        self.reply = (status, payload if isinstance(payload, bytes) else json.dumps(payload).encode())

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
