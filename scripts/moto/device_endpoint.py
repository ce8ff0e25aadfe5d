"""The sandbox's device endpoint: an MQTT 3.1.1 broker over TLS that admits and authorizes
devices as AWS IoT Core's message broker does, from the sandbox's moto registry (it runs in the
moto server's process and reads its backends directly).

- **Authentication**: TLS with a client certificate issued by the sandbox's Amazon-issuer CA
  (what CreateKeysAndCertificate and CreateCertificateFromCsr issue) or by a CA registered in the
  account; after the handshake the certificate must be registered and ACTIVE (the claim
  certificate included), else the connection is closed without a CONNACK, as AWS IoT closes it.
- **Authorization** (scripts/moto/iot_policy.py): CONNECT needs iot:Connect on client/ID;
  PUBLISH iot:Publish on topic/T (and iot:RetainPublish for a retained one); SUBSCRIBE
  iot:Subscribe on topicfilter/F per filter (a refused one is SUBACK 0x80); each delivery needs
  the subscriber's iot:Receive on topic/T (not delivered otherwise). Policies are read at every
  request, so a change to them applies at once. A refused CONNECT or PUBLISH closes the
  connection, as AWS IoT does for MQTT 3.1.1 clients.
- AWS IoT's limits: QoS 0 and 1 only (QoS 2 closes the connection), payloads up to 128 KB, client
  IDs up to 128 bytes, a second connection with a client ID closes the first.
- What is not built is refused by name (in the sandbox's log, then the connection closes): the
  reserved `$aws/` topics other than the Device Shadow service's (scripts/moto/shadow_topics.py)
  fleet provisioning's (scripts/moto/provisioning_topics.py) and Jobs' (scripts/moto/jobs_topics.py);
  and MQTT 5.
- What the account's services publish reaches the endpoint's subscribers: shadow changes made
  over HTTP (on the shadow topics) and iot-data Publish.
- Registry events for the event types the account enables (scripts/moto/registry_events.py:
  `$aws/events/thing/NAME/created`...), and lifecycle events, as AWS IoT publishes them:
  `$aws/events/presence/connected/CLIENT_ID` and `.../disconnected/CLIENT_ID` (with clientInitiatedDisconnect and AWS's disconnectReason:
  CLIENT_INITIATED_DISCONNECT, CONNECTION_LOST, DUPLICATE_CLIENTID, FORBIDDEN_ACCESS,
  CLIENT_ERROR, SERVER_INITIATED_DISCONNECT).
- Each account and region is its own topic space, and every message in it goes through that
  account's topic rules (scripts/moto/rules_engine.py: Lambda actions run the function's deployed
  code, republish).

Started by scripts/moto/server.py when FLEETDECK_DEVICE_ENDPOINT_PORT is set (with
FLEETDECK_DEVICE_ENDPOINT_CERT/_KEY, its server certificate); it trusts the process's
Amazon-issuer CA (scripts/moto/aws_rules.py) and the CAs registered in the accounts.
"""
import asyncio
import hashlib
import json
import os
import re
import time
import uuid
import ssl
import sys
import threading

from cryptography import x509
from cryptography.hazmat.primitives import serialization

import aws_rules
import greengrass_v2
import iot_policy
import jobs_topics
import provisioning_topics
import registry_events
import rules_engine
import shadow_topics
from rules_engine import topic_matches

MAX_PAYLOAD = 128 * 1024
MAX_CLIENT_ID = 128


def log(text):
    sys.stderr.write(f"device-endpoint: {text}\n")
    sys.stderr.flush()


def _backends():
    from moto.iot.models import iot_backends
    for account, regions in iot_backends.items():
        for region, backend in regions.items():
            yield account, region, backend


def find_certificate(der):
    """The registered certificate with these bytes: (account, region, backend, certificate) or None."""
    digest = hashlib.sha256(der).hexdigest()
    pem = x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM).decode()
    pem_digest = hashlib.sha256(pem.encode()).hexdigest()  # moto's id when use_valid_cert is off
    for account, region, backend in list(_backends()):
        certificate = backend.certificates.get(digest) or backend.certificates.get(pem_digest)
        if certificate is not None:
            return account, region, backend, certificate
    return None


def valid_filter(topic_filter):
    parts = topic_filter.split("/")
    return topic_filter != "" and all(("#" not in p or (p == "#" and i == len(parts) - 1)) and ("+" not in p or p == "+") for i, p in enumerate(parts))


class Refused(Exception):
    """Closes the connection; the reason goes to the sandbox's log, and `reason` (AWS's
    disconnectReason) to the lifecycle event."""
    def __init__(self, message, reason="SERVER_INITIATED_DISCONNECT"):
        super().__init__(message)
        self.reason = reason


class Session:
    def __init__(self, broker, reader, writer, account, region, backend, certificate):
        self.broker, self.reader, self.writer = broker, reader, writer
        self.account, self.region, self.backend, self.certificate = account, region, backend, certificate
        self.client_id = None
        self.subscriptions = {}
        self.closed = False
        # for the lifecycle events: set once accepted, and why it ended
        self.session_id = None
        self.disconnect_reason = "CONNECTION_LOST"

    # -- policy --
    def context(self):
        thing = None
        for (principal, name), (_, fake) in list(self.backend.principal_things.items()):
            if principal == self.certificate.arn and name == self.client_id:
                thing = {"thingName": fake.thing_name, "thingTypeName": getattr(fake, "thing_type_name", None),
                         "attributes": dict(getattr(fake, "attributes", {}) or {})}
        return iot_policy.connection_context(self.client_id, thing)

    def allowed(self, action, name):
        documents = [policy.document for (principal, _), (_, policy) in list(self.backend.principal_policies.items())
                     if principal == self.certificate.arn]
        try:
            return iot_policy.allowed(documents, action, iot_policy.resource_arn(action, name, self.region, self.account), self.context())
        except iot_policy.Unsupported as error:
            raise Refused(f"{self.client_id}: {action} on {name}: {error}")

    def principal(self):
        return f"certificate {self.certificate.certificate_id[:12]}"

    # -- wire --
    async def packet(self):
        header = await self.reader.readexactly(1)
        length, multiplier = 0, 1
        for _ in range(4):
            byte = (await self.reader.readexactly(1))[0]
            length += (byte & 0x7F) * multiplier
            if not byte & 0x80:
                break
            multiplier *= 128
        else:
            raise Refused("malformed remaining length")
        if length > MAX_PAYLOAD + 65536:
            raise Refused(f"a packet of {length} bytes is over AWS IoT's limit")
        return header[0], await self.reader.readexactly(length)

    def send(self, kind, body=b""):
        length, encoded = len(body), bytearray()
        while True:
            byte, length = length % 128, length // 128
            encoded.append(byte | (0x80 if length else 0))
            if not length:
                break
        self.writer.write(bytes([kind]) + bytes(encoded) + body)

    def deliver(self, topic, payload, qos, retain=False):
        data = len(topic.encode()).to_bytes(2, "big") + topic.encode()
        if qos:
            self.broker.packet_id = self.broker.packet_id % 65535 + 1
            data += self.broker.packet_id.to_bytes(2, "big")
        self.send(0x30 | (qos << 1) | (1 if retain else 0), data + payload)

    # -- protocol --
    async def run(self):
        kind, body = await self.packet()
        if kind >> 4 != 1:
            raise Refused("the first packet is not CONNECT")
        name_length = int.from_bytes(body[0:2], "big")
        protocol, level, flags = body[2:2 + name_length], body[2 + name_length], body[3 + name_length]
        if protocol != b"MQTT" or level != 4:
            raise Refused(f"protocol {protocol!r} level {level}: only MQTT 3.1.1 is built")
        at = 6 + name_length
        client_length = int.from_bytes(body[at:at + 2], "big")
        self.client_id = body[at + 2:at + 2 + client_length].decode("utf-8", "replace")
        if not self.client_id or len(self.client_id.encode()) > MAX_CLIENT_ID:
            raise Refused(f"client ID {self.client_id!r}: AWS IoT needs 1 to {MAX_CLIENT_ID} bytes")
        if flags & 0x04:
            raise Refused(f"{self.client_id}: a will message is not built by the sandbox's endpoint")
        if not self.allowed("iot:Connect", self.client_id):
            raise Refused(f"{self.client_id}: iot:Connect not allowed for certificate {self.certificate.certificate_id[:12]}")
        self.broker.admit(self)
        self.send(0x20, b"\x00\x00")
        log(f"{self.client_id} connected with {self.principal()}")
        self.broker.lifecycle(self, "connected")
        while True:
            kind, body = await self.packet()
            kind_type = kind >> 4
            if kind_type == 3:
                await self.on_publish(kind, body)
            elif kind_type == 4:  # PUBACK of a delivery
                continue
            elif kind_type == 8:
                self.on_subscribe(body)
            elif kind_type == 10:
                packet_id = body[:2]
                at = 2
                while at < len(body):
                    n = int.from_bytes(body[at:at + 2], "big")
                    self.subscriptions.pop(body[at + 2:at + 2 + n].decode(), None)
                    at += 2 + n
                self.send(0xB0, packet_id)
            elif kind_type == 12:
                self.send(0xD0)
            elif kind_type == 14:
                self.disconnect_reason = "CLIENT_INITIATED_DISCONNECT"
                return
            else:
                raise Refused(f"{self.client_id}: packet type {kind_type} is not built")
            await self.writer.drain()

    async def on_publish(self, kind, body):
        qos, retain = (kind >> 1) & 3, bool(kind & 1)
        n = int.from_bytes(body[:2], "big")
        topic = body[2:2 + n].decode("utf-8", "replace")
        at = 2 + n
        packet_id = body[at:at + 2] if qos else None
        payload = body[at + 2:] if qos else body[at:]
        if qos == 2:
            raise Refused(f"{self.client_id}: QoS 2 is not supported by AWS IoT", "CLIENT_ERROR")
        if len(payload) > MAX_PAYLOAD:
            raise Refused(f"{self.client_id}: a payload of {len(payload)} bytes on {topic} is over AWS IoT's 128 KB", "CLIENT_ERROR")
        if "+" in topic or "#" in topic or not topic:
            raise Refused(f"{self.client_id}: {topic!r} is not a topic name", "CLIENT_ERROR")
        if not self.allowed("iot:Publish", topic) or (retain and not self.allowed("iot:RetainPublish", topic)):
            raise Refused(f"{self.client_id}: {'iot:RetainPublish' if retain else 'iot:Publish'} on {topic} not allowed", "FORBIDDEN_ACCESS")
        health = HEALTH.match(topic)
        if health and (self.context().get("iot:Connection.Thing.ThingName") != health.group(1)):
            raise Refused(f"{self.client_id}: only the core device {health.group(1)} itself reports on {topic}", "FORBIDDEN_ACCESS")
        if topic.startswith("$aws/") and not shadow_topics.TOPIC.match(topic) and not jobs_topics.TOPIC.match(topic) \
                and not provisioning_topics.handles(topic) and not health:
            raise Refused(f"{self.client_id}: the reserved topic {topic} is not built by the sandbox's endpoint")
        if retain and topic.startswith("$aws/"):
            raise Refused(f"{self.client_id}: a retained message on the reserved topic {topic}")
        if qos:
            self.send(0x40, packet_id)
        if provisioning_topics.handles(topic):
            # The answers go back on this connection only (AWS: "through the same MQTT connection").
            answers = await asyncio.get_running_loop().run_in_executor(None, provisioning_topics.handle, self.account, self.region, topic, payload,
                                                                       self.certificate.certificate_id, self.client_id)
            for answer, body in answers:
                self.deliver_if_subscribed(answer, json.dumps(body, separators=(",", ":")).encode())
            return
        if health:
            # A nucleus's status report: the Greengrass service takes it (not delivered to subscribers).
            refused = await asyncio.get_running_loop().run_in_executor(None, greengrass_v2.record_report, health.group(1), payload.decode("utf-8", "replace"))
            if isinstance(refused, tuple):
                log(f"{self.client_id}: the report on {topic} was dropped as AWS drops it: {refused[1]}: {refused[2]}")
            return
        if topic.startswith("$aws/"):
            service = jobs_topics if jobs_topics.TOPIC.match(topic) else shadow_topics
            for answer, body in service.handle(self.account, self.region, topic, payload):
                self.broker.route(self.account, self.region, answer, json.dumps(body, separators=(",", ":")).encode(), False)
            return
        self.broker.route(self.account, self.region, topic, payload, retain)

    def deliver_if_subscribed(self, topic, payload):
        qos = max((q for f, q in self.subscriptions.items() if topic_matches(f, topic)), default=None)
        if qos is not None and self.allowed("iot:Receive", topic):
            self.deliver(topic, payload, qos)

    def on_subscribe(self, body):
        packet_id, at, codes = body[:2], 2, bytearray()
        while at < len(body):
            n = int.from_bytes(body[at:at + 2], "big")
            topic_filter = body[at + 2:at + 2 + n].decode("utf-8", "replace")
            qos = body[at + 2 + n]
            at += 3 + n
            if not valid_filter(topic_filter) or not self.allowed("iot:Subscribe", topic_filter):
                codes.append(0x80)
                continue
            granted = min(qos, 1)
            self.subscriptions[topic_filter] = granted
            codes.append(granted)
        self.send(0x90, packet_id + bytes(codes))
        for topic, payload in list(self.broker.retained.get((self.account, self.region), {}).items()):
            for topic_filter, qos in list(self.subscriptions.items()):
                if topic_matches(topic_filter, topic) and self.allowed("iot:Receive", topic):
                    self.deliver(topic, payload, qos, retain=True)
                    break


HEALTH = re.compile(r"^\$aws/things/([^/]+)/greengrassv2/health/json$")


class Broker:
    def __init__(self, context):
        self.context = context
        self.sessions = {}
        self.retained = {}
        self.packet_id = 0
        self.versions = {}

    def admit(self, session):
        earlier = self.sessions.get(session.client_id)
        if earlier is not None:
            log(f"{session.client_id} connected again: the earlier connection is closed")
            earlier.disconnect_reason = "DUPLICATE_CLIENTID"
            earlier.writer.close()
        self.sessions[session.client_id] = session

    def lifecycle(self, session, event):
        """AWS IoT's lifecycle event on $aws/events/presence/EVENT/CLIENT_ID."""
        body = {"clientId": session.client_id, "timestamp": int(time.time() * 1000), "eventType": event,
                "principalIdentifier": session.certificate.certificate_id}
        if event == "connected":
            session.session_id = str(uuid.uuid4())
            key = (session.account, session.region, session.client_id)
            self.versions[key] = self.versions.get(key, 0) + 1
            body["ipAddress"] = "127.0.0.1"
        else:
            body.update(clientInitiatedDisconnect=session.disconnect_reason == "CLIENT_INITIATED_DISCONNECT", disconnectReason=session.disconnect_reason)
        body.update(sessionIdentifier=session.session_id, versionNumber=self.versions[(session.account, session.region, session.client_id)])
        self.route(session.account, session.region, f"$aws/events/presence/{event}/{session.client_id}",
                   json.dumps(body, separators=(",", ":")).encode(), False)

    def route(self, account, region, topic, payload, retain):
        """Delivers a message in its account's and region's topic space (each has its own, as in
        AWS IoT), then runs that account's rules on it, off the loop."""
        if retain:
            kept = self.retained.setdefault((account, region), {})
            if payload:
                kept[topic] = payload
            else:
                kept.pop(topic, None)
        for session in list(self.sessions.values()):
            if (session.account, session.region) != (account, region):
                continue
            qos = max((q for f, q in session.subscriptions.items() if topic_matches(f, topic)), default=None)
            if qos is None:
                continue
            try:
                if session.allowed("iot:Receive", topic):
                    session.deliver(topic, payload, qos)
            except Refused as why:
                log(str(why))
        loop = asyncio.get_running_loop()
        republish = lambda t, p: loop.call_soon_threadsafe(self.route, account, region, t, p, False)  # noqa: E731
        loop.run_in_executor(None, rules_engine.run, account, region, topic, payload, republish)

    async def serve(self, reader, writer, kind="mqtt"):
        """One connection: `kind` is mqtt (mTLS), websocket (SigV4) or, as on AWS IoT's port
        443, whichever the client's ALPN asks for (x-amzn-mqtt-ca: mTLS)."""
        session = None
        try:
            # Each connection's TLS trusts the CAs registered by then.
            try:
                await writer.start_tls(self.context(kind))
            except (ssl.SSLError, ConnectionError, OSError) as error:
                raise Refused(f"TLS: {error}")
            if kind == "443":
                kind = "mqtt" if writer.get_extra_info("ssl_object").selected_alpn_protocol() == "x-amzn-mqtt-ca" else "websocket"
            if kind == "websocket":
                import websocket_endpoint
                session = await websocket_endpoint.upgrade(self, reader, writer)
                await session.run()
                return
            peer = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
            found = find_certificate(peer) if peer else None
            if found is None:
                raise Refused("a client certificate that is not registered in the account")
            account, region, backend, certificate = found
            if certificate.status != "ACTIVE":
                raise Refused(f"certificate {certificate.certificate_id[:12]} is {certificate.status}")
            session = Session(self, reader, writer, account, region, backend, certificate)
            await session.run()
        except Refused as why:
            log(f"refused: {why}")
            if session is not None:
                session.disconnect_reason = why.reason
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            pass
        finally:
            if session is not None and self.sessions.get(session.client_id) is session:
                del self.sessions[session.client_id]
            writer.close()
            if session is not None and session.session_id is not None:
                self.lifecycle(session, "disconnected")


def tls_context(certificate, key, kind="mqtt"):
    """The endpoint's TLS: its server certificate; for mqtt client certificates required, issued
    by the sandbox's Amazon-issuer CA or by a CA registered (and ACTIVE) in an account; none asked
    of a WebSocket; on 443 either, by ALPN."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    if kind == "websocket":
        return context
    context.verify_mode = ssl.CERT_REQUIRED if kind == "mqtt" else ssl.CERT_OPTIONAL
    if kind == "443":
        context.set_alpn_protocols(["x-amzn-mqtt-ca", "http/1.1"])
    context.load_verify_locations(cadata=aws_rules.issuer()[0].public_bytes(serialization.Encoding.PEM).decode())
    for _, _, backend in list(_backends()):
        for ca in list(getattr(backend, "ca_certificates", {}).values()):
            if getattr(ca, "status", "ACTIVE") == "ACTIVE":
                context.load_verify_locations(cadata=ca.certificate_pem)
    return context


def start(port, certificate, key, wss_port=None, host=None, standard_ports=()):
    """Serves MQTT over mTLS on 127.0.0.1:port and over WebSocket with SigV4 on
    127.0.0.1:wss_port, in a thread of this process; and on `host` (the address DescribeEndpoint
    gives for iot:Data-ATS) at AWS IoT's own ports: 8883 (mTLS) and 443 (mTLS by ALPN, or wss)."""
    ready = threading.Event()
    broker = Broker(lambda kind: tls_context(certificate, key, kind))
    listeners = [("127.0.0.1", port, "mqtt")] + ([("127.0.0.1", wss_port, "websocket")] if wss_port else [])
    listeners += [(host, standard, {8883: "mqtt", 443: "443"}[standard]) for standard in standard_ports if host]
    if host:
        answer_describe_endpoint(host)

    def run():
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        # What the account's services publish (HTTP shadow changes, iot-data Publish), from moto's threads.
        jobs_topics._announce.append(lambda account, region, topic, payload: loop.call_soon_threadsafe(broker.route, account, region, topic, payload, False))
        shadow_topics._announce.append(lambda account, region, topic, payload: loop.call_soon_threadsafe(broker.route, account, region, topic, payload, False))
        registry_events._announce.append(lambda account, region, topic, payload: loop.call_soon_threadsafe(broker.route, account, region, topic, payload, False))
        servers = [loop.run_until_complete(asyncio.start_server(lambda r, w, kind=kind: broker.serve(r, w, kind), address, number))
                   for address, number, kind in listeners]
        ready.set()
        loop.run_until_complete(asyncio.gather(*(server.serve_forever() for server in servers)))

    threading.Thread(target=run, name="device-endpoint", daemon=True).start()
    ready.wait(10)
    return broker


def answer_describe_endpoint(host):
    """DescribeEndpoint's iot:Data-ATS (and the legacy iot:Data) answer `host`, where this
    endpoint listens at AWS IoT's ports, so clients that look it up as devices and operators do
    find it."""
    from moto.iot import models as iot_models
    original = iot_models.IoTBackend.describe_endpoint

    def describe_endpoint(self, endpoint_type):
        found = original(self, endpoint_type)
        if endpoint_type in ("iot:Data-ATS", "iot:Data"):
            found.endpoint = host
        return found

    iot_models.IoTBackend.describe_endpoint = describe_endpoint
