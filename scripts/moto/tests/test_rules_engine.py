"""The sandbox's rules engine SQL (scripts/moto/rules_engine.py), on the rules the reference
architecture deploys and on what AWS IoT SQL defines around them."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from rules_engine import NotBuilt, evaluate  # noqa: E402


def test_the_stacks_rules_select_the_whole_message_from_their_topics():
    assert evaluate("SELECT * FROM 'lambda/+/csr_res'", "lambda/GG-1/csr_res", b'{"ThingName":"GG-1","csr":"x"}') == {"ThingName": "GG-1", "csr": "x"}
    assert evaluate("SELECT * FROM 'lambda/+/csr_res'", "lambda/GG-1/crt_ack", b"{}") is None
    assert evaluate("SELECT * FROM 'lambda/#'", "lambda/GG-1/crt_ack", b'{"a":1}') == {"a": 1}


def test_fields_topic_functions_and_where():
    sql = "SELECT temperature AS t, topic(2) AS thing, reading.unit FROM 'device/+/telemetry' WHERE temperature > 30 AND reading.unit = 'C'"
    assert evaluate(sql, "device/GG-7/telemetry", b'{"temperature":31,"reading":{"unit":"C"}}') == {"t": 31, "thing": "GG-7", "unit": "C"}
    assert evaluate(sql, "device/GG-7/telemetry", b'{"temperature":29,"reading":{"unit":"C"}}') is None
    # Values of different types compare as Undefined: not true.
    assert evaluate(sql, "device/GG-7/telemetry", b'{"temperature":"hot","reading":{"unit":"C"}}') is None
    assert evaluate("SELECT topic() AS t FROM 'a/#' WHERE x = 1 OR y = 2", "a/b", b'{"y":2}') == {"t": "a/b"}


def test_what_is_not_built_is_refused_by_name():
    with pytest.raises(NotBuilt, match="upper"):
        evaluate("SELECT upper(name) AS n FROM 'a/b'", "a/b", b'{"name":"x"}')
    with pytest.raises(NotBuilt, match="SQL"):
        evaluate("SELECT * FROM a/b", "a/b", b"{}")
    with pytest.raises(NotBuilt, match="not a JSON object"):
        evaluate("SELECT * FROM 'a/b'", "a/b", b"not json")
