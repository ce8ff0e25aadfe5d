"""AWS IoT Core policy evaluation, as the sandbox's device endpoint applies it to every CONNECT,
PUBLISH, SUBSCRIBE and delivery (the facts are AWS IoT Core's developer guide: "AWS IoT Core
policy actions", "resources", "policy variables", "thing policy variables").

- A request is allowed when a statement of an attached policy allows it and none denies it
  (explicit Deny wins; nothing allows by default).
- Actions match case-insensitively, with `*` and `?` (`iot:*`, `*`).
- Resources are ARNs: `client/CLIENT_ID` (iot:Connect), `topic/TOPIC` (iot:Publish, iot:Receive,
  iot:RetainPublish), `topicfilter/FILTER` (iot:Subscribe). In a policy `*` matches any characters
  and `?` one; MQTT's `+` and `#` are literal characters.
- Policy variables in resources: `${iot:ClientId}`, `${iot:Connection.Thing.ThingName}`,
  `${iot:Connection.Thing.ThingTypeName}`, `${iot:Connection.Thing.Attributes[NAME]}`,
  `${iot:Connection.Thing.IsAttached}`, and `${*}`, `${?}`, `${$}` for the literal characters. The
  thing variables resolve only when a thing named as the client ID is attached to the certificate;
  a resource whose variable does not resolve matches nothing.
- What is not built (Condition, NotAction, NotResource, a variable it does not know) raises
  `Unsupported` naming it: the endpoint then refuses the request by name rather than guess.
"""
import fnmatch
import json
import re

ACTIONS = {"iot:connect": "client", "iot:publish": "topic", "iot:receive": "topic", "iot:retainpublish": "topic", "iot:subscribe": "topicfilter"}
KNOWN = {"Effect", "Action", "Resource", "Sid"}
VARIABLE = re.compile(r"\$\{([^}]*)\}")


class Unsupported(Exception):
    """A policy uses something the sandbox's evaluation does not build."""


def resource_arn(action, name, region, account):
    """The ARN a request is checked against (`name`: the client ID, topic or topic filter)."""
    kind = ACTIONS.get(action.lower())
    if kind is None:
        raise Unsupported(f"the action {action} is not evaluated by the sandbox's endpoint")
    return f"arn:aws:iot:{region}:{account}:{kind}/{name}"


def _listed(value, key):
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise Unsupported(f"{key} must be a string or a list of strings, not {json.dumps(value)}")


def _pattern(text, context):
    """The resource pattern with its variables replaced, as a regular expression; None when a
    variable does not resolve (the resource matches nothing)."""
    out, last = [], 0
    for match in VARIABLE.finditer(text):
        out.append(_glob(text[last:match.start()]))
        name = match.group(1)
        if name in ("*", "?", "$"):
            out.append(re.escape(name))
        elif name.startswith("iot:"):
            if name not in context and not _known_variable(name):
                raise Unsupported(f"the policy variable ${{{name}}} is not resolved by the sandbox's endpoint")
            value = context.get(name)
            if value is None:
                return None
            out.append(re.escape(value))
        else:
            raise Unsupported(f"the policy variable ${{{name}}} is not resolved by the sandbox's endpoint")
        last = match.end()
    out.append(_glob(text[last:]))
    return re.compile("".join(out), re.DOTALL)


def _known_variable(name):
    return name in ("iot:ClientId", "iot:Connection.Thing.ThingName", "iot:Connection.Thing.ThingTypeName", "iot:Connection.Thing.IsAttached") \
        or re.fullmatch(r"iot:Connection\.Thing\.Attributes\[[^\]]+\]", name) is not None


def _glob(text):
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text)


def _statements(document):
    if isinstance(document, str):
        document = json.loads(document)
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    for statement in statements:
        unknown = set(statement) - KNOWN
        if unknown:
            raise Unsupported(f"the policy element {', '.join(sorted(unknown))} is not evaluated by the sandbox's endpoint")
        if statement.get("Effect") not in ("Allow", "Deny"):
            raise Unsupported(f"Effect must be Allow or Deny, not {statement.get('Effect')!r}")
        yield statement


def _applies(statement, action, resource, context):
    if not any(fnmatch.fnmatchcase(action.lower(), pattern.lower()) for pattern in _listed(statement.get("Action"), "Action")):
        return False
    for text in _listed(statement.get("Resource"), "Resource"):
        pattern = _pattern(text, context)
        if pattern is not None and pattern.fullmatch(resource):
            return True
    return False


def allowed(documents, action, resource, context):
    """Whether the policies allow `action` on `resource` (an ARN) for a connection described by
    `context` (policy variable name -> value; absent or None: not resolved)."""
    allow = False
    for document in documents:
        for statement in _statements(document):
            if _applies(statement, action, resource, context):
                if statement["Effect"] == "Deny":
                    return False
                allow = True
    return allow


def connection_context(client_id, thing=None):
    """The policy variables of a connection: `thing` is the registry's thing named as the client
    ID when it is attached to the connection's certificate (a dict with thingName, thingTypeName,
    attributes), else None."""
    context = {"iot:ClientId": client_id, "iot:Connection.Thing.IsAttached": "true" if thing else "false"}
    if thing:
        context["iot:Connection.Thing.ThingName"] = thing["thingName"]
        context["iot:Connection.Thing.ThingTypeName"] = thing.get("thingTypeName")
        for key, value in (thing.get("attributes") or {}).items():
            context[f"iot:Connection.Thing.Attributes[{key}]"] = value
    return context
