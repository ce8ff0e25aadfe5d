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
- IoT CreateCertificateFromCsr issues the certificate for the CSR's own public key, and
  CreateKeysAndCertificate for the key pair it makes, both signed by the sandbox's Amazon-issuer
  CA (made in memory by each moto process; its device endpoint trusts it), as AWS issues them (moto made a new key pair and certified that, so the certificate did not match
  the device's private key, and signed its own with the subject's key under another issuer's
  name, so no TLS server could verify it); a CSR whose signature does not verify is refused.
- IoT SearchIndex is refused with ResourceNotFoundException while the account's thing indexing is
  OFF (AWS: the AWS_Things index does not exist until fleet indexing is turned on); moto searched
  anyway.
"""
import datetime
import os
import time

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from moto.iot.exceptions import InvalidRequestException
from moto.iot import models as iot_models
from moto.iot.exceptions import ResourceAlreadyExistsException

def control_region(headers):
    """The region a sandbox control (POST /sandbox/...) is for: its Authorization's credential
    scope, as moto routes a request."""
    import re
    scope = re.search(r"Credential=[^/]+/\d{8}/([^/]+)/", headers.get("Authorization", "") or "")
    return scope.group(1) if scope else "us-east-1"


_create_thing = iot_models.IoTBackend.create_thing
_describe_endpoint = iot_models.IoTBackend.describe_endpoint
_create_thing_type = iot_models.IoTBackend.create_thing_type
_search_index = iot_models.IoTBackend.search_index


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


def _hold(request):
    """A test's way to make the server commit a request after its client has died: a file
    $FLEETDECK_SANDBOX_DIR/hold/<CN> holding a number of seconds holds the creates of certificates
    whose CSR has that common name; the server drops a `.received` file beside it when one arrives,
    sleeps, then commits (AWS commits what it received, whatever became of the sender)."""
    folder = os.environ.get("FLEETDECK_SANDBOX_DIR")
    names = request.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    if not folder or not names:
        return
    path = os.path.join(folder, "hold", names[0].value)
    try:
        with open(path) as f:
            seconds = float(f.read().strip() or "0")
    except (OSError, ValueError):
        return
    with open(path + ".received", "a") as f:
        f.write("1\n")
    time.sleep(seconds)


def create_certificate_from_csr(self, csr, set_as_active):
    try:
        request = x509.load_pem_x509_csr(csr.encode("utf-8"))
    except ValueError:
        raise InvalidRequestException("The certificate signing request is not valid")
    if not request.is_signature_valid:
        raise InvalidRequestException("The certificate signing request signature is not valid")
    _hold(request)
    pem = _issue(request.subject, request.public_key(), self.region_name)
    return self.register_certificate(pem, ca_certificate_pem=None, set_as_active=set_as_active, status="INACTIVE")


_issuer = {}


def issuer():
    """The Amazon-issuer CA of this process's accounts: (certificate, key), made on first use."""
    if not _issuer:
        _issuer["key"], _issuer["certificate"] = make_issuer()
    return _issuer["certificate"], _issuer["key"]


def make_issuer():
    """A CA named as AWS IoT's issuer of device certificates: (key, certificate)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(x509.NameOID.ORGANIZATIONAL_UNIT_NAME, "Amazon Web Services O=Amazon.com Inc. L=Seattle ST=Washington C=US")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=3650))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                   .sign(key, hashes.SHA256()))
    return key, certificate


# Per region, the next `count` certificates issued are valid for `days` only
# (scripts/moto/audits.py's sandbox control: something for the expiring-certificate check to find).
short_lived = {}  # region -> {"count": N, "days": D}


def _issue(subject, public_key, region):
    certificate, key = issuer()
    now = datetime.datetime.now(datetime.timezone.utc)
    not_after = datetime.datetime(2049, 12, 31, 23, 59, 59, tzinfo=datetime.timezone.utc)
    short = short_lived.get(region, {})
    if short.get("count", 0) > 0:
        short["count"] -= 1
        not_after = now + datetime.timedelta(days=short["days"])
    issued = (x509.CertificateBuilder().subject_name(subject).issuer_name(certificate.subject).public_key(public_key)
              .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
              .not_valid_after(not_after)
              .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
              .sign(key, hashes.SHA256()))
    return issued.public_bytes(serialization.Encoding.PEM).decode("utf-8")


def generate_certificate_pem(self, domain_name, subject, key=None):
    """moto's CreateKeysAndCertificate: the certificate for the key it made, issued by the CA."""
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return _issue(subject, key.public_key(), self.region_name)


def describe_endpoint(self, endpoint_type):
    endpoints = self.__dict__.setdefault("_stable_endpoints", {})
    if endpoint_type not in endpoints:
        endpoints[endpoint_type] = _describe_endpoint(self, endpoint_type)
    self.endpoint = endpoints[endpoint_type]
    return self.endpoint


iot_models.IoTBackend.create_thing = create_thing
iot_models.IoTBackend.describe_endpoint = describe_endpoint
iot_models.IoTBackend.create_certificate_from_csr = create_certificate_from_csr
iot_models.IoTBackend._generate_certificate_pem = generate_certificate_pem
iot_models.IoTBackend.create_thing_type = create_thing_type


def search_index(self, query_string, *args, **kwargs):
    mode = self.get_indexing_configuration()["thingIndexingConfiguration"].get("thingIndexingMode", "OFF")
    if mode == "OFF":
        from moto.iot.exceptions import ResourceNotFoundException
        raise ResourceNotFoundException("Index AWS_Things does not exist: fleet indexing (thingIndexingMode) is OFF")
    return _search_index(self, query_string, *args, **kwargs)


iot_models.IoTBackend.search_index = search_index


_deprecate_thing_type = iot_models.IoTBackend.deprecate_thing_type


def _deprecation_period():
    return float(os.environ.get("FLEETDECK_THING_TYPE_DEPRECATION_SECONDS", "300"))


def deprecate_thing_type(self, thing_type_name, undo_deprecate):
    thing_type = _deprecate_thing_type(self, thing_type_name, undo_deprecate)
    if undo_deprecate:
        thing_type.metadata.pop("deprecationDate", None)
    elif "deprecationDate" not in thing_type.metadata:
        thing_type.metadata["deprecationDate"] = datetime.datetime.now(datetime.timezone.utc).timestamp()
    return thing_type


def delete_thing_type(self, thing_type_name):
    thing_type = self.describe_thing_type(thing_type_name)
    since = thing_type.metadata.get("deprecationDate") if thing_type.metadata.get("deprecated") else None
    age = datetime.datetime.now(datetime.timezone.utc).timestamp() - since if since is not None else None
    if age is None or age < _deprecation_period():
        raise InvalidRequestException(
            f"Can not delete thing type {thing_type_name}: it must be deprecated for {int(_deprecation_period())} seconds first"
            + ("" if age is None else f" (deprecated {int(age)} seconds ago)"))
    del self.thing_types[thing_type.arn]


iot_models.IoTBackend.deprecate_thing_type = deprecate_thing_type
iot_models.IoTBackend.delete_thing_type = delete_thing_type


_certificate_init = iot_models.FakeCertificate.__init__


def certificate_init(self, certificate_pem, *args, **kwargs):
    _certificate_init(self, certificate_pem, *args, **kwargs)
    try:
        certificate = x509.load_pem_x509_certificate(certificate_pem.encode("utf-8"))
    except ValueError:
        return  # moto accepts test PEMs that are not certificates; their validity stays moto's
    self.validity_not_before = certificate.not_valid_before_utc
    self.validity_not_after = certificate.not_valid_after_utc


iot_models.FakeCertificate.__init__ = certificate_init
