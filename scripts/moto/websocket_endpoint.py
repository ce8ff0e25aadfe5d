"""AWS IoT Core's MQTT over WebSocket with SigV4 for the sandbox's device endpoint: the way
operators' tools (and devices without certificates) connect.

A connection is an HTTP/1.1 upgrade to a WebSocket (`GET /mqtt?X-Amz-...`, subprotocol `mqtt`)
presigned with SigV4 for the service `iotdevicegateway` (the session token, when there is one,
appended after signing, as AWS IoT wants it). The signature is checked as AWS checks it: the
credential's access key must be the sandbox's, the scope's service iotdevicegateway, the date
within its X-Amz-Expires (and not in the future), and the signature the one the secret key makes
of the request as it came (its Host header included). Anything else is answered 403 and closed.
The MQTT session then runs over binary frames as a device's does, in the account and the
credential scope's region, with the IAM identity's permissions: the sandbox's credentials are the
account's administrator, so every action is allowed (an IAM policy is not evaluated here).
"""
import base64
import datetime
import hashlib
import hmac
import os
import urllib.parse

import device_endpoint
from device_endpoint import Refused, Session, log

ACCOUNT = "123456789012"  # moto's one account
GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
EMPTY = hashlib.sha256(b"").hexdigest()


def credentials():
    """The sandbox's access keys and their secrets (FLEETDECK_SANDBOX_CREDENTIALS: AKID:SECRET,...)."""
    pairs = os.environ.get("FLEETDECK_SANDBOX_CREDENTIALS", "testing:testing")
    return dict(pair.split(":", 1) for pair in pairs.split(",") if ":" in pair)


def _quote(text):
    return urllib.parse.quote(text, safe="-_.~")


def _key(secret, date, region, service):
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def verify(target, headers, now):
    """The (access key, region) a presigned request is signed for, or Refused with why."""
    path, _, query = target.partition("?")
    if path != "/mqtt":
        raise Refused(f"WebSocket path {path!r}: AWS IoT's is /mqtt")
    params = urllib.parse.parse_qsl(query, keep_blank_values=True)
    given = dict(params)
    for name in ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Signature"):
        if name not in given:
            raise Refused(f"the WebSocket request is not presigned: {name} is missing")
    if given["X-Amz-Algorithm"] != "AWS4-HMAC-SHA256":
        raise Refused(f"X-Amz-Algorithm {given['X-Amz-Algorithm']}: AWS4-HMAC-SHA256 only")
    scope = given["X-Amz-Credential"].split("/")
    if len(scope) != 5 or scope[4] != "aws4_request" or scope[3] != "iotdevicegateway":
        raise Refused(f"the credential scope {'/'.join(scope[1:])} is not for iotdevicegateway")
    access_key, date, region = scope[0], scope[1], scope[2]
    secret = credentials().get(access_key)
    if secret is None:
        raise Refused(f"the access key {access_key} is not the sandbox's")
    try:
        signed_at = datetime.datetime.strptime(given["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        raise Refused(f"X-Amz-Date {given['X-Amz-Date']!r} is not a date")
    expires = int(given.get("X-Amz-Expires", "86400")) if given.get("X-Amz-Expires", "0").isdigit() else -1
    if not 0 < expires <= 604800 or now > signed_at + datetime.timedelta(seconds=expires) or signed_at > now + datetime.timedelta(minutes=15):
        raise Refused(f"the signature of {given['X-Amz-Date']} (X-Amz-Expires {given.get('X-Amz-Expires')}) is not valid now")
    if date != given["X-Amz-Date"][:8]:
        raise Refused("the credential scope's date is not X-Amz-Date's")
    signed_headers = given["X-Amz-SignedHeaders"].split(";")
    if "host" not in signed_headers or any(name not in headers for name in signed_headers):
        raise Refused(f"X-Amz-SignedHeaders {given['X-Amz-SignedHeaders']}: the host header must be signed, and each signed header sent")
    canonical_headers = "".join(f"{name}:{' '.join(headers[name].split())}\n" for name in signed_headers)
    key = _key(secret, date, region, "iotdevicegateway")
    # AWS IoT takes the session token appended after signing, or signed in; the payload's hash
    # is the empty one (or UNSIGNED-PAYLOAD, as some signers presign).
    for token_signed in (False, True):
        query_signed = sorted((_quote(k), _quote(v)) for k, v in params
                              if k != "X-Amz-Signature" and (token_signed or k != "X-Amz-Security-Token"))
        for payload in (EMPTY, "UNSIGNED-PAYLOAD"):
            canonical = "\n".join(["GET", path, "&".join(f"{k}={v}" for k, v in query_signed), canonical_headers, ";".join(signed_headers), payload])
            string = "\n".join(["AWS4-HMAC-SHA256", given["X-Amz-Date"], "/".join(scope[1:]), hashlib.sha256(canonical.encode()).hexdigest()])
            if hmac.compare_digest(hmac.new(key, string.encode(), hashlib.sha256).hexdigest(), given["X-Amz-Signature"]):
                return access_key, region
    raise Refused(f"the signature does not match the request (access key {access_key})")


class FrameReader:
    """MQTT bytes out of a client's WebSocket frames (masked; binary and continuation carry data)."""
    def __init__(self, reader, writer):
        self.reader, self.writer, self.buffer = reader, writer, bytearray()

    async def readexactly(self, count):
        while len(self.buffer) < count:
            await self.frame()
        data = bytes(self.buffer[:count])
        del self.buffer[:count]
        return data

    async def frame(self):
        head = await self.reader.readexactly(2)
        opcode, masked, length = head[0] & 0x0F, head[1] & 0x80, head[1] & 0x7F
        if length == 126:
            length = int.from_bytes(await self.reader.readexactly(2), "big")
        elif length == 127:
            length = int.from_bytes(await self.reader.readexactly(8), "big")
        if not masked:
            raise Refused("a WebSocket frame from the client without a mask")
        if length > device_endpoint.MAX_PAYLOAD + 65536:
            raise Refused(f"a WebSocket frame of {length} bytes is over AWS IoT's limit")
        mask = await self.reader.readexactly(4)
        data = bytes(byte ^ mask[i % 4] for i, byte in enumerate(await self.reader.readexactly(length)))
        if opcode in (0x0, 0x2):
            self.buffer += data
        elif opcode == 0x8:
            raise ConnectionError("the client closed the WebSocket")
        elif opcode == 0x9:
            self.writer.frame(0xA, data)
        elif opcode != 0xA:
            raise Refused(f"WebSocket opcode {opcode}: MQTT goes in binary frames")


class FrameWriter:
    """MQTT bytes into binary WebSocket frames (a server's: unmasked)."""
    def __init__(self, writer):
        self.writer = writer

    def write(self, data):
        self.frame(0x2, data)

    def frame(self, opcode, data):
        n = len(data)
        size = bytes([n]) if n < 126 else bytes([126]) + n.to_bytes(2, "big") if n < 65536 else bytes([127]) + n.to_bytes(8, "big")
        self.writer.write(bytes([0x80 | opcode]) + size + data)

    async def drain(self):
        await self.writer.drain()

    def close(self):
        self.writer.close()

    def get_extra_info(self, name, default=None):
        return self.writer.get_extra_info(name, default)


class Identity:
    """An IAM identity in the place of a certificate (lifecycle events name its access key)."""
    def __init__(self, access_key):
        self.certificate_id = access_key
        self.arn = None


class IamSession(Session):
    """A session authenticated by SigV4: the sandbox's credentials may do anything."""
    def allowed(self, action, name):
        return True

    def context(self):
        return device_endpoint.iot_policy.connection_context(self.client_id, None)

    def principal(self):
        return f"the IAM credentials {self.certificate.certificate_id}"


async def upgrade(broker, reader, writer):
    """Reads the upgrade request on a TLS connection, checks its signature, answers 101 and runs
    the MQTT session over frames; a refusal is answered 403."""
    from moto.iot.models import iot_backends
    try:
        request = await reader.readuntil(b"\r\n\r\n")
    except Exception:
        raise Refused("no WebSocket upgrade request")
    lines = request.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    try:
        if len(parts) != 3 or parts[0] != "GET":
            raise Refused(f"{lines[0]!r} is not a WebSocket upgrade")
        if headers.get("upgrade", "").lower() != "websocket" or "sec-websocket-key" not in headers:
            raise Refused("the request does not ask for a WebSocket")
        if "mqtt" not in [p.strip() for p in headers.get("sec-websocket-protocol", "").split(",")]:
            raise Refused("the WebSocket subprotocol must be mqtt")
        access_key, region = verify(parts[1], headers, datetime.datetime.now(datetime.timezone.utc))
    except Refused:
        writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        raise
    accept = base64.b64encode(hashlib.sha1((headers["sec-websocket-key"] + GUID).encode()).digest()).decode()
    writer.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Accept: {accept}\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n").encode())
    frames = FrameWriter(writer)
    log(f"a WebSocket connection signed by {access_key} for {region}")
    return IamSession(broker, FrameReader(reader, frames), frames, ACCOUNT, region, iot_backends[ACCOUNT][region], Identity(access_key))
