"""A small local stand-in for the part of Stripe's API that Kakehashi uses.

It records every request, honours Idempotency-Key the way Stripe does (a repeated key
gets the first response back, and creates nothing), and can be told to lose its answer
to the next request after doing the work, as a dropped connection would.
"""

import itertools
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl


@dataclass
class Recorded:
    method: str
    path: str
    idempotency_key: str
    params: dict[str, str]


@dataclass
class StripeDouble:
    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    charges: dict[str, int] = field(default_factory=dict)  # payment intent -> amount
    replies: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    lose_next_answers: int = 0
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(
        self, method: str, path: str, key: str, params: dict[str, str]
    ) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests.append(Recorded(method, path, key, params))
            if key and key in self.replies:
                status, body = self.replies[key]
                return status, body
            status, body = self._create(path, params)
            if key:
                self.replies[key] = (status, body)
            if self.lose_next_answers:
                self.lose_next_answers -= 1
                return 500, {"error": {"type": "api_error", "message": "lost"}}
            return status, body

    def _create(self, path: str, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        n = next(self._ids)
        if path == "/v1/checkout/sessions":
            session = {
                "id": f"cs_test_{n}",
                "object": "checkout.session",
                "url": f"https://checkout.stripe.test/pay/cs_test_{n}",
                "amount_total": int(params["line_items[0][price_data][unit_amount]"]),
                "currency": params["line_items[0][price_data][currency]"],
                "client_reference_id": params.get("client_reference_id"),
                "metadata": {"kakehashi_account": params.get("metadata[kakehashi_account]")},
                "payment_status": "unpaid",
            }
            self.sessions[session["id"]] = session
            return 200, session
        if path == "/v1/refunds":
            intent, amount = params["payment_intent"], int(params["amount"])
            already = sum(
                r["amount"] for r in self.refunds.values() if r["payment_intent"] == intent
            )
            if intent not in self.charges or already + amount > self.charges[intent]:
                return 400, {"error": {"type": "invalid_request_error", "message": "too much"}}
            refund = {
                "id": f"re_{n}",
                "object": "refund",
                "amount": amount,
                "payment_intent": intent,
                "status": "succeeded",
            }
            self.refunds[refund["id"]] = refund
            return 200, refund
        return 404, {"error": {"type": "invalid_request_error", "message": "unknown path"}}


def serve() -> tuple[StripeDouble, ThreadingHTTPServer]:
    double = StripeDouble()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            params = dict(parse_qsl(self.rfile.read(length).decode()))
            status, body = double.handle(
                "POST", self.path, self.headers.get("Idempotency-Key", ""), params
            )
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", "req_test")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    double.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return double, server
