"""moto, made to refuse what AWS refuses.

moto is the sandbox's stand-in for AWS, but where it is more lenient than AWS a test against it
proves nothing. Importing this module patches moto in this process (the sandbox's moto servers
import it before they start) so that:

- IoT CreateThing with the name of an existing thing succeeds only when the configuration is the
  same (AWS: "If this call is made multiple times using the same thing name and configuration, the
  call will succeed. If this call is made with the same thing name but different configuration a
  ResourceAlreadyExistsException is thrown."); moto silently overwrote the thing.
- IoT CreateThingType with the name of an existing thing type is refused with
  ResourceAlreadyExistsException (moto made a second one).
- IoT DescribeEndpoint answers with the same address every time for an account, region and
  endpoint type, as AWS does (moto made a new random host on every call).
"""
from moto.iot import models as iot_models
from moto.iot.exceptions import ResourceAlreadyExistsException

_create_thing = iot_models.IoTBackend.create_thing
_describe_endpoint = iot_models.IoTBackend.describe_endpoint
_create_thing_type = iot_models.IoTBackend.create_thing_type


def _attributes(payload):
    return dict((payload or {}).get("attributes") or {})


def create_thing(self, thing_name, thing_type_name, attribute_payload, billing_group_name=None):
    existing = next((t for t in self.things.values() if t.thing_name == thing_name), None)
    if existing is not None:
        existing_type = existing.thing_type.thing_type_name if existing.thing_type else None
        if existing_type != (thing_type_name or None) or dict(existing.attributes) != _attributes(attribute_payload):
            raise ResourceAlreadyExistsException(
                f"Thing {thing_name} already exists in account with different attributes", thing_name, existing.arn)
        return existing
    return _create_thing(self, thing_name, thing_type_name, attribute_payload, billing_group_name)


def create_thing_type(self, thing_type_name, thing_type_properties):
    existing = next((t for t in self.thing_types.values() if t.thing_type_name == thing_type_name), None)
    if existing is not None:
        raise ResourceAlreadyExistsException(f"Thing Type {thing_type_name} already exists", thing_type_name, existing.arn)
    return _create_thing_type(self, thing_type_name, thing_type_properties)


def describe_endpoint(self, endpoint_type):
    endpoints = self.__dict__.setdefault("_stable_endpoints", {})
    if endpoint_type not in endpoints:
        endpoints[endpoint_type] = _describe_endpoint(self, endpoint_type)
    self.endpoint = endpoints[endpoint_type]
    return self.endpoint


iot_models.IoTBackend.create_thing = create_thing
iot_models.IoTBackend.describe_endpoint = describe_endpoint
iot_models.IoTBackend.create_thing_type = create_thing_type
