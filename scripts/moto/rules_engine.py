"""AWS IoT's rules engine for the sandbox's device endpoint: every message published in an account
and region (by a device, by iot-data Publish, by the Device Shadow service) is matched against
that account's enabled topic rules, and each matching rule's actions run, as AWS IoT runs them
(developer guide, "Rules for AWS IoT", "AWS IoT SQL reference", "Rule actions").

Built: the SQL the reference architecture uses and its near kin, `SELECT * | expr [AS name], ...
FROM 'filter' [WHERE cond]` with `*`, payload fields (`a.b`), `topic()` and `topic(n)`,
`clientid()`-less literals, and WHERE comparisons (= <> < > <= >=) joined by AND/OR; the payload
must be JSON for anything but nothing-selected. Actions: `lambda` (the function's deployed code,
run by lambda_runner.py with the selected object as its event, once the function's resource
policy lets iot.amazonaws.com invoke it for the rule), `sns` (published to the topic, which delivers
to its subscribers) and `republish` (`${topic()}`, `${topic(n)}` substitutions). Anything else (other SQL, other actions, other SQL versions) is
refused by name in the sandbox's log when the rule would run: never run halfway or skipped
silently.
"""
import json
import re
import sys

import lambda_runner

SELECT = re.compile(r"^\s*SELECT\s+(?P<fields>.+?)\s+FROM\s+'(?P<topic>[^']*)'(?:\s+WHERE\s+(?P<where>.+?))?\s*$", re.IGNORECASE | re.DOTALL)
TOPIC_CALL = re.compile(r"^topic\(\s*(\d*)\s*\)$", re.IGNORECASE)
COMPARE = re.compile(r"^(?P<left>.+?)\s*(?P<op><>|<=|>=|=|<|>)\s*(?P<right>.+)$")


class NotBuilt(Exception):
    pass


def log(text):
    sys.stderr.write(f"rules: {text}\n")
    sys.stderr.flush()


def topic_matches(topic_filter, topic):
    """MQTT's matching (the broker's and the rules' FROM): + one level, # the rest; a wildcard
    first level does not match a $ topic."""
    f, t = topic_filter.split("/"), topic.split("/")
    if t[0].startswith("$") and f[0] in ("+", "#"):
        return False
    for i, part in enumerate(f):
        if part == "#":
            return True
        if i >= len(t) or (part != "+" and part != t[i]):
            return False
    return len(f) == len(t)


def _split(text, separator):
    """Splits on a separator outside quotes and parentheses."""
    parts, depth, quote, current = [], 0, False, ""
    for ch in text:
        if ch == "'" :
            quote = not quote
        elif not quote and ch == "(":
            depth += 1
        elif not quote and ch == ")":
            depth -= 1
        if not quote and depth == 0 and ch == separator:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p.strip() for p in parts]


def _value(expression, payload, topic):
    expression = expression.strip()
    if expression.startswith("'") and expression.endswith("'"):
        return expression[1:-1]
    if re.fullmatch(r"-?\d+(\.\d+)?", expression):
        return float(expression) if "." in expression else int(expression)
    if expression.lower() in ("true", "false"):
        return expression.lower() == "true"
    call = TOPIC_CALL.match(expression)
    if call:
        parts = topic.split("/")
        if not call.group(1):
            return topic
        n = int(call.group(1))
        return parts[n - 1] if 1 <= n <= len(parts) else None
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*", expression):
        if not isinstance(payload, dict):
            return None
        value = payload
        for key in expression.split("."):
            value = value.get(key) if isinstance(value, dict) else None
        return value
    raise NotBuilt(f"the SQL expression {expression!r}")


def _condition(text, payload, topic):
    for operator in (" OR ", " or "):
        if operator in text:
            return any(_condition(part, payload, topic) for part in text.split(operator))
    for operator in (" AND ", " and "):
        if operator in text:
            return all(_condition(part, payload, topic) for part in text.split(operator))
    match = COMPARE.match(text.strip())
    if not match:
        raise NotBuilt(f"the WHERE condition {text!r}")
    left, right = _value(match.group("left"), payload, topic), _value(match.group("right"), payload, topic)
    op = match.group("op")
    try:
        return {"=": left == right, "<>": left != right, "<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[op]
    except TypeError:
        return False  # AWS: a comparison of values of different types is Undefined, so not true


def evaluate(sql, topic, payload_bytes):
    """The selected object for this message, or None when the rule does not match it."""
    match = SELECT.match(sql)
    if not match:
        raise NotBuilt(f"the SQL {sql!r}")
    if not topic_matches(match.group("topic"), topic):
        return None
    try:
        payload = json.loads(payload_bytes)
    except ValueError:
        payload = None
    if match.group("where") and not _condition(match.group("where"), payload, topic):
        return None
    selected = {}
    for field in _split(match.group("fields"), ","):
        if field == "*":
            if not isinstance(payload, dict):
                raise NotBuilt("SELECT * of a payload that is not a JSON object")
            selected.update(payload)
            continue
        alias = re.match(r"^(?P<expr>.+?)\s+AS\s+(?P<name>[A-Za-z_][A-Za-z0-9_]*)$", field, re.IGNORECASE)
        expression, name = (alias.group("expr"), alias.group("name")) if alias else (field, field.split(".")[-1])
        value = _value(expression, payload, topic)
        if value is not None:
            selected[name] = value
    return selected


def _substitute(template, topic):
    def replace(match):
        call = TOPIC_CALL.match(match.group(1))
        if not call:
            raise NotBuilt(f"the substitution template ${{{match.group(1)}}}")
        return str(_value(match.group(1), None, topic))
    return re.sub(r"\$\{([^}]*)\}", replace, template)


def run(account, region, topic, payload, publish):
    """Runs the account's rules on a message; `publish(topic, payload)` routes what republish
    actions publish. Blocking (Lambda actions run their code): call it off the endpoint's loop."""
    from moto.iot.models import iot_backends
    rules = [rule for rule in list(iot_backends[account][region].rules.values()) if not rule.rule_disabled]
    for rule in rules:
        try:
            if rule.aws_iot_sql_version not in ("2016-03-23", "2015-10-08", "beta"):
                raise NotBuilt(f"SQL version {rule.aws_iot_sql_version}")
            selected = evaluate(rule.sql, topic, payload)
            if selected is None:
                continue
            for action in rule.actions:
                kind, settings = next(iter(action.items()))
                if kind == "lambda":
                    answer = lambda_runner.invoke(account, region, settings["functionArn"], selected,
                                                  caller=("iot.amazonaws.com", f"arn:aws:iot:{region}:{account}:rule/{rule.rule_name}"))
                    log(f"{rule.rule_name}: {topic} -> lambda {settings['functionArn'].rsplit(':', 1)[-1]}: {json.dumps(answer)[:200]}")
                elif kind == "sns":
                    # SNS's publish (moto's), which delivers to the topic's subscribers
                    # (Lambda ones run their code: audits.py).
                    from moto.sns.models import sns_backends
                    if settings.get("messageFormat", "RAW") not in ("RAW", "JSON"):
                        raise NotBuilt(f"the sns action's messageFormat {settings.get('messageFormat')}")
                    target = settings["targetArn"]
                    sns_backends[account][target.split(":")[3]].publish(json.dumps(selected, separators=(",", ":")), arn=target)
                    log(f"{rule.rule_name}: {topic} -> SNS {target}")
                elif kind == "republish":
                    target = _substitute(settings["topic"], topic)
                    publish(target, json.dumps(selected, separators=(",", ":")).encode())
                    log(f"{rule.rule_name}: {topic} -> republished on {target}")
                else:
                    raise NotBuilt(f"the {kind} action")
        except NotBuilt as error:
            log(f"{rule.rule_name}: not run on {topic}: {error} is not built by the sandbox's rules engine")
        except lambda_runner.Refused as error:
            log(f"{rule.rule_name}: on {topic}: {error}")
