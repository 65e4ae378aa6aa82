"""Digital signatures (chữ ký số) on the PDFs eCabinet makes itself: the organisation's key signs them, PAdES.

Signing runs in the server process (the PDF is ours, not an upload), in a thread: pyHanko's synchronous
API starts an event loop of its own. Nothing here touches the network: no timestamp server, no
revocation fetching. Demo mode makes its own root CA and organisation certificate (`ensure_demo_certificate`);
the same certificate-making functions give the tests their throwaway CAs.
"""

from __future__ import annotations

import datetime
import fcntl
import io
import os
import secrets
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from ecabinet.settings import Settings

# RSA rather than EC: every PDF reader in use in government offices verifies RSA signatures.
KEY_BITS = 2048
CA_VALID_DAYS = 20 * 365
LEAF_VALID_DAYS = 5 * 365
# Certificates start a little in the past, so that a verifier whose clock runs behind still accepts them.
BACKDATE = datetime.timedelta(minutes=10)
# `ecabinet demo` keeps a demo organisation certificate and the demo CA that issued it in DATA_DIR/signing.
DEMO_DIR = "signing"
DEMO_CA_FILE = "demo-ca.pem"
DEMO_P12_FILE = "organisation.p12"
DEMO_PASS_FILE = "organisation.pass"
DEMO_CA_NAME = "eCabinet Demo CA (chỉ dùng thử)"
SIGNING_KEY_TYPES = (
    rsa.RSAPrivateKey,
    ec.EllipticCurvePrivateKey,
    dsa.DSAPrivateKey,
    ed25519.Ed25519PrivateKey,
    ed448.Ed448PrivateKey,
)


class SigningError(Exception):
    """The organisation's certificate cannot be used, or a PDF cannot be signed; `message` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Signer:
    """A private key with its certificate and the chain above it, as loaded from a PKCS#12 file."""

    key: pkcs12.PKCS12PrivateKeyTypes = field(repr=False)
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()

    def __post_init__(self) -> None:
        if self.key.public_key() != self.certificate.public_key():
            raise SigningError("The private key does not belong to the certificate.")


def load_signer(p12_path: Path, passphrase: str) -> Signer:
    """The signer in a PKCS#12 (.p12, .pfx) file; SigningError when it is missing, unreadable, locked or expired."""
    try:
        data = p12_path.read_bytes()
    except OSError as exc:
        raise SigningError(f"Cannot read the signing certificate {p12_path}: {exc.strerror or exc}.") from exc
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(data, passphrase.encode())
    except ValueError as exc:
        raise SigningError(
            f"Cannot open the signing certificate {p12_path}: the passphrase is wrong or the file is not PKCS#12."
        ) from exc
    if key is None or certificate is None:
        raise SigningError(f"The signing certificate {p12_path} holds no private key with its certificate.")
    if not isinstance(key, SIGNING_KEY_TYPES):
        raise SigningError(f"The key in {p12_path} is a {type(key).__name__}, which cannot sign documents.")
    now = datetime.datetime.now(datetime.UTC)
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise SigningError(
            f"The signing certificate {p12_path} is valid only from {certificate.not_valid_before_utc:%Y-%m-%d} "
            f"to {certificate.not_valid_after_utc:%Y-%m-%d}."
        )
    return Signer(key, certificate, tuple(chain))


def sign_pdf(data: bytes, signer: Signer, *, reason: str, location: str, field_name: str = "Signature1") -> bytes:
    """The PDF with a PAdES signature added in an incremental update (an invisible field named `field_name`).

    Call it from a thread, never on the event loop: pyHanko runs an event loop of its own.
    """
    # pyHanko (and aiohttp, which it imports) takes 0.3 s to import: paid on the first signature, not at start.
    from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import fields, signers
    from pyhanko.sign.general import SigningError as PyHankoSigningError
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    der = serialization.Encoding.DER
    key = signer.key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    # pyHanko leaves this constructor unannotated.
    chain = SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
        [next(load_certs_from_pemder_data(c.public_bytes(der))) for c in signer.chain]
    )
    cms_signer = signers.SimpleSigner(
        signing_cert=next(load_certs_from_pemder_data(signer.certificate.public_bytes(der))),
        signing_key=load_private_key_from_pemder_data(key, passphrase=None),
        cert_registry=chain,
    )
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data))
        signed: bytes = signers.sign_pdf(writer, metadata, signer=cms_signer).getvalue()
    except (PdfError, PyHankoSigningError) as exc:
        raise SigningError(f"Cannot sign the PDF: {exc}") from exc
    return signed


def certificate_name(certificate: x509.Certificate) -> str:
    """Whom a certificate names, for people: its common name, then its organisation when that differs."""
    subject = certificate.subject
    parts: list[str] = []
    for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME):
        for attribute in subject.get_attributes_for_oid(oid):
            value = attribute.value if isinstance(attribute.value, str) else attribute.value.decode(errors="replace")
            if value and value not in parts:
                parts.append(value)
    return ", ".join(parts) if parts else subject.rfc4514_string()


def subject_name(signer: Signer) -> str:
    """Whom the signer's certificate names (CN, O), for display beside a signed document."""
    return certificate_name(signer.certificate)


def _name(common_name: str, organisation: str | None = None) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if organisation:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def _key_usage(*, signing: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signing,
        content_commitment=signing,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not signing,
        crl_sign=not signing,
        encipher_only=False,
        decipher_only=False,
    )


def make_ca(common_name: str) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """A new self-signed root CA that may sign end-entity certificates only."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    name = _name(common_name)
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + datetime.timedelta(days=CA_VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signing=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def make_leaf(
    ca_key: rsa.RSAPrivateKey, ca_cert: x509.Certificate, common_name: str, organisation: str
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """A new signing certificate issued by the CA, with the key usages a document signature needs."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, organisation))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(min(now + datetime.timedelta(days=LEAF_VALID_DAYS), ca_cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signing=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return key, certificate


def write_p12(
    path: Path,
    key: pkcs12.PKCS12PrivateKeyTypes,
    cert: x509.Certificate,
    chain: Sequence[x509.Certificate],
    passphrase: str,
) -> None:
    """Save a key, its certificate and the chain above it as a passphrase-protected PKCS#12 file (mode 0600)."""
    encryption = serialization.BestAvailableEncryption(passphrase.encode())
    _write_private(path, pkcs12.serialize_key_and_certificates(None, key, cert, list(chain), encryption))


def write_ca_bundle(path: Path, certificates: Sequence[x509.Certificate]) -> None:
    """Save certificates as a PEM bundle: the trust roots that `signature_check.check` is given."""
    data = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)
    _write_atomically(path, data, 0o644)


def ensure_demo_certificate(
    directory: Path, organisation: str = "Ủy ban nhân dân thành phố Hà Nội"
) -> tuple[Path, str, Path]:
    """The demo organisation certificate and its CA in `directory`, made on first use: (p12, passphrase, CA bundle).

    Files already there are reused. A lock keeps two server processes starting together from each making
    a certificate and pairing one's PKCS#12 file with the other's passphrase.
    """
    directory.mkdir(parents=True, exist_ok=True)
    p12_path, pass_path, ca_path = directory / DEMO_P12_FILE, directory / DEMO_PASS_FILE, directory / DEMO_CA_FILE
    with _locked(directory / ".demo-certificate.lock"):
        if p12_path.exists() and pass_path.exists() and ca_path.exists():
            return p12_path, pass_path.read_text(encoding="ascii").strip(), ca_path
        ca_key, ca_cert = make_ca(DEMO_CA_NAME)
        key, cert = make_leaf(ca_key, ca_cert, organisation, organisation)
        passphrase = secrets.token_urlsafe(24)
        write_p12(p12_path, key, cert, [ca_cert], passphrase)
        _write_private(pass_path, passphrase.encode("ascii") + b"\n")
        # Written last: its presence with the other two marks a complete set.
        write_ca_bundle(ca_path, [ca_cert])
    return p12_path, passphrase, ca_path


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_private(path: Path, data: bytes) -> None:
    _write_atomically(path, data, 0o600)


def _write_atomically(path: Path, data: bytes, mode: int) -> None:
    # mkstemp creates the file 0600, so a secret is never readable by others, not even for a moment.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise


def identity(settings: Settings) -> tuple[Path, str] | None:
    """The organisation's PKCS#12 and passphrase: the configured one, else the demo one if `ecabinet demo` made it."""
    if settings.signing_p12:
        return Path(settings.signing_p12), settings.signing_p12_password
    demo = settings.data_dir / DEMO_DIR
    p12, passphrase = demo / DEMO_P12_FILE, demo / DEMO_PASS_FILE
    if p12.is_file() and passphrase.is_file():
        return p12, passphrase.read_text(encoding="ascii").strip()
    return None


def trust_bundle(settings: Settings) -> str:
    """The CA bundle that signatures on papers are checked against: the configured one, else the demo CA if any."""
    if settings.trust_ca_bundle:
        return settings.trust_ca_bundle
    demo = settings.data_dir / DEMO_DIR / DEMO_CA_FILE
    return str(demo) if demo.is_file() else ""
