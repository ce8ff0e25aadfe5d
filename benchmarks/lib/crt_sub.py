"""A subscriber on AWS's CRT MQTT client (awscrt, the client under AWS's device SDK) over
WebSocket over TLS: the wss peer of benchmarks/tail-throughput. Writes each message's topic and
payload as one line, one write per message (as mosquitto_sub does), and exits after N messages.

Usage: crt_sub.py URL CA_FILE TOPIC_FILTER N
"""
import os
import sys
import threading
import urllib.parse

from awscrt import io, mqtt


def main():
    url, ca, topic, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    parsed = urllib.parse.urlsplit(url)
    tls = io.TlsContextOptions()
    tls.override_default_trust_store_from_path(None, ca)
    bootstrap = io.ClientBootstrap(io.EventLoopGroup(1), io.DefaultHostResolver(io.EventLoopGroup(1)))
    client = mqtt.Client(bootstrap, io.ClientTlsContext(tls))

    def handshake(transform_args):
        transform_args.http_request.path = parsed.path or "/mqtt"
        transform_args.set_done()

    connection = mqtt.Connection(client, parsed.hostname, parsed.port, f"crt-bench-{os.getpid()}", use_websockets=True,
                                 websocket_handshake_transform=handshake, keep_alive_secs=60)
    connection.connect().result(30)
    received, done = [0], threading.Event()
    out = sys.stdout.buffer

    def on_message(topic, payload, **_):
        out.write(topic.encode() + b" " + payload + b"\n")
        out.flush()
        received[0] += 1
        if received[0] == count:
            done.set()

    subscribed, _ = connection.subscribe(topic, mqtt.QoS.AT_MOST_ONCE, on_message)
    subscribed.result(30)
    if not done.wait(300):
        sys.exit(f"crt_sub: {received[0]} of {count} messages in 300 s")
    connection.disconnect().result(30)


if __name__ == "__main__":
    main()
