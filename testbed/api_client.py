"""A client for the controller's northbound API (tests, the experiment):
HTTP or, given the server's certificate (`ca_file`), HTTPS calls with the
bearer token, and the server-sent event stream."""
import json
import socket
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.request


def self_signed_certificate(directory):
    """A certificate for 127.0.0.1 and its key (PEM), made with the openssl tool; returns (cert, key)."""
    cert, key = f"{directory}/api-cert.pem", f"{directory}/api-key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


def tls_context(ca_file):
    return ssl.create_default_context(cafile=ca_file) if ca_file else None


class Api:
    def __init__(self, port, token, ca_file=None):
        self.base = f"{'https' if ca_file else 'http'}://127.0.0.1:{port}"
        self.token, self.context = token, tls_context(ca_file)

    def call(self, method, path, body=None, token=True, raw=None, headers=None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {self.token if token is True else token}")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=10, context=self.context) as r:
                text = r.read().decode()
                return r.status, (json.loads(text) if text and "json" in r.headers.get("Content-Type", "") else text)
        except urllib.error.HTTPError as e:
            text = e.read().decode()
            return e.code, (json.loads(text) if text.startswith("{") else text)



class EventStream:
    """Reads /api/v1/events in a thread; keeps (event, data) pairs and when each happened:
    the controller's own stamp (at_ms, when its apps saw the event), not its arrival here."""

    def __init__(self, port, token, ca_file=None):
        self.events, self.times = [], []
        self.sock = socket.create_connection(("127.0.0.1", port))
        if ca_file:
            self.sock = tls_context(ca_file).wrap_socket(self.sock, server_hostname="127.0.0.1")
        self.sock.sendall(f"GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\r\n".encode())
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        buf, event = b"", None
        while True:
            try:
                chunk = self.sock.recv(4096)
            except OSError:
                return
            if not chunk:
                return
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                line = line.decode().rstrip("\r")
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and event:
                    data = json.loads(line[6:])
                    self.times.append(data["at_ms"] / 1000 if "at_ms" in data else time.time())
                    self.events.append((event, data))

    def first(self, kind, pred=lambda d: True, since=0.0):
        """(time, data) of the first `kind` event after `since` matching `pred`, or None."""
        for when, (k, d) in zip(list(self.times), list(self.events)):
            if k == kind and when >= since and pred(d):
                return when, d
        return None

    def close(self):
        self.sock.close()


class EventStreams:
    """Several controllers' event streams read as one: what EventStream offers,
    over all of them, in the order of the controllers' stamps."""

    def __init__(self, streams):
        self.streams = streams

    @property
    def events(self):
        stamped = [(t, e) for s in self.streams for t, e in zip(list(s.times), list(s.events))]
        return [e for _, e in sorted(stamped, key=lambda te: te[0])]  # stable: one stream's order within a ms

    def first(self, kind, pred=lambda d: True, since=0.0):
        found = [f for f in (s.first(kind, pred, since) for s in self.streams) if f]
        return min(found, key=lambda f: f[0]) if found else None

    def close(self):
        for s in self.streams:
            s.close()
