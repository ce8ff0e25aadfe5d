#!/usr/bin/env python3
"""moto_server with aws_rules applied: the sandbox's AWS. Takes moto_server's arguments."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import aws_rules  # noqa: E402,F401  (patches moto before the server starts)
import iot_missing  # noqa: E402,F401  (adds the IoT operations moto lacks)
import greengrass_v2  # noqa: E402,F401  (adds Greengrass V2 core devices)
import registry_events  # noqa: E402,F401  (event configurations; registry events for the device endpoint)
import jobs_state  # noqa: E402,F401  (Jobs as a state machine: group targets, counters, cancel as AWS cancels)
import jobs_rollout  # noqa: E402,F401  (rollout rates and timeouts on the sandbox clock: POST /sandbox/clock)
import greengrass_deployments  # noqa: E402,F401  (Greengrass V2 deployments, each an IoT job in aws-gg-deployment)
from moto.server import main  # noqa: E402

if __name__ == "__main__":
    if os.environ.get("FLEETDECK_DEVICE_ENDPOINT_PORT"):
        import audits  # noqa: E402,F401  (Device Defender audits that run; SNS delivering to functions)
        import device_endpoint  # noqa: E402  (AWS IoT Core's device endpoint, on this process's registry)
        device_endpoint.start(int(os.environ["FLEETDECK_DEVICE_ENDPOINT_PORT"]), os.environ["FLEETDECK_DEVICE_ENDPOINT_CERT"],
                              os.environ["FLEETDECK_DEVICE_ENDPOINT_KEY"], int(os.environ.get("FLEETDECK_DEVICE_ENDPOINT_WSS_PORT") or 0) or None,
                              os.environ.get("FLEETDECK_DEVICE_ENDPOINT_HOST") or None,
                              [int(p) for p in os.environ.get("FLEETDECK_DEVICE_ENDPOINT_STANDARD_PORTS", "").split(",") if p])
    main(sys.argv[1:])
