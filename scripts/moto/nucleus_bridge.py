#!/usr/bin/env python3
"""The sandbox's stand-in for AWS IoT Greengrass reading its nuclei's status reports.

A Greengrass nucleus reports its status (health, nucleus version, platform, each component's
lifecycle state) on the reserved topic `$aws/things/THING/greengrassv2/health/json`; AWS turns
those reports into what ListCoreDevices, GetCoreDevice and ListInstalledComponents return. Here a
small MQTT 3.1.1 subscriber on the sandbox's mosquitto hands each report to the sandbox's moto
(`POST /greengrass/v2/sandbox/reports`, scripts/moto/greengrass_v2.py), which does the same.

Usage: nucleus_bridge.py MQTT_PORT MOTO_URL READY_FILE (the file is made once subscribed).
"""
import json
import socket
import struct
import sys
import time
import urllib.request

TOPIC = "$aws/things/+/greengrassv2/health/json"


def encode_length(n):
    out = bytearray()
    while True:
        byte, n = n % 128, n // 128
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def string(s):
    b = s.encode()
    return struct.pack("!H", len(b)) + b


def read_exactly(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("the broker closed the connection")
        data += chunk
    return data


def read_packet(sock):
    header = read_exactly(sock, 1)[0]
    length, shift = 0, 0
    while True:
        byte = read_exactly(sock, 1)[0]
        length += (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            break
    return header, read_exactly(sock, length)


def forward(moto, topic, payload):
    thing = topic.split("/")[2]
    body = json.dumps({"thing": thing, "report": payload.decode("utf-8", "replace")}).encode()
    request = urllib.request.Request(moto + "/greengrass/v2/sandbox/reports", data=body, method="POST",
                                     headers={"Content-Type": "application/json",
                                              # moto routes a request to a service by its credential scope
                                              "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/greengrass/aws4_request, "
                                                               "SignedHeaders=host, Signature=0"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            answer.read()
    except urllib.error.HTTPError as error:
        # A report AWS would drop (a thing not in the registry, not JSON) is said in the log.
        print(f"report from {thing} refused: {error.code} {error.read().decode(errors='replace')}", flush=True)


def serve(port, moto, ready):
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    body = string("MQTT") + bytes([4, 2]) + struct.pack("!H", 60) + string(f"fd-sandbox-nucleus-bridge-{port}")
    sock.sendall(bytes([0x10]) + encode_length(len(body)) + body)
    header, payload = read_packet(sock)
    if header != 0x20 or payload[1] != 0:
        raise ConnectionError(f"CONNACK refused: {payload!r}")
    body = struct.pack("!H", 1) + string(TOPIC) + bytes([1])
    sock.sendall(bytes([0x82]) + encode_length(len(body)) + body)
    while True:
        try:
            header, payload = read_packet(sock)
        except socket.timeout:
            sock.sendall(bytes([0xC0, 0]))  # PINGREQ
            continue
        kind = header >> 4
        if kind == 9:  # SUBACK
            open(ready, "w").close()
        elif kind == 3:  # PUBLISH
            qos = (header >> 1) & 3
            (topic_length,) = struct.unpack("!H", payload[:2])
            topic = payload[2:2 + topic_length].decode()
            rest = payload[2 + topic_length:]
            if qos:
                packet_id, rest = rest[:2], rest[2:]
                sock.sendall(bytes([0x40, 2]) + packet_id)  # PUBACK
            forward(moto, topic, rest)


def main():
    port, moto, ready = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    while True:  # mosquitto may start after us; a lost connection is made again
        try:
            serve(port, moto, ready)
        except (OSError, ConnectionError) as error:
            print(f"bridge: {error}; connecting again", flush=True)
            time.sleep(0.2)


if __name__ == "__main__":
    main()
