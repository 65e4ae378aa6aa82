"""Checking the digital signatures (chữ ký số) on an uploaded PDF: intact, unmodified since, trusted.

This runs in the PDF sandbox's workers (`pdf_work.JOBS["signatures"]`), because the file is hostile:
whatever pyHanko cannot parse becomes an answer (`invalid`), never an exception. It works offline: trust
comes only from the configured CA bundle, and nothing is fetched (no OCSP, CRL or issuer download), so
revocation is not checked: a revoked certificate that chains to the bundle still counts as trusted.
"""

from __future__ import annotations

import datetime
import itertools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import DocumentTimestampStatus, PdfSignatureStatus
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko_certvalidator import ValidationContext

NONE = "none"
VALID = "valid"
UNTRUSTED = "untrusted"
MODIFIED = "modified"
INVALID = "invalid"
# A file's status is its worst signature's: a broken signature outweighs a later change, which outweighs trust.
WORST_FIRST = (INVALID, MODIFIED, UNTRUSTED, VALID)
# Each signature costs a digest of the whole file and a comparison of revisions; no real document has this many.
MAX_SIGNATURES = 100
MAX_SUMMARY_CHARS = 300


def check(path: str, ca_bundle: str) -> dict[str, Any]:
    """The signatures on a PDF and one status for the file: none, valid, untrusted, modified or invalid.

    `ca_bundle` is a PEM (or DER) file of trusted root certificates; an empty string trusts none. Each
    signature is `{field, signer, signing_time, intact, valid, trusted, whole_file, modified_after,
    summary}`: `intact` (the signed bytes are unchanged) and `valid` (the signature over them is sound)
    are the cryptography; `modified_after` means the file was changed after signing in a way its
    signatures do not allow (a later signature or form filling is allowed, new page content is not).
    """
    # pyHanko (and aiohttp, which it imports) costs a worker 0.3 s and 35 MiB: paid on the first signed file only.
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields
    from pyhanko.sign.validation.settings import KeyUsageConstraints

    context = _validation_context(ca_bundle)
    with open(path, "rb") as handle:
        try:
            reader = PdfFileReader(handle, strict=False)
            found = list(itertools.islice(enumerate_sig_fields(reader, filled_status=True), MAX_SIGNATURES + 1))
        except MemoryError:
            raise
        except Exception:
            return {"status": INVALID, "signatures": []}
        if len(found) > MAX_SIGNATURES:
            from ecabinet.pdf_work import Rejection

            raise Rejection("too_many_signatures", f"The PDF has more than {MAX_SIGNATURES} signatures.")
        if not found:
            return {"status": NONE, "signatures": []}
        # Approval signatures may carry either usage (Adobe's rule); pyHanko alone would require non-repudiation.
        usage = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False)
        checked = [_signature(reader, str(name), field, context, usage) for name, _, field in found]
    checked.sort(key=lambda pair: pair[0])
    signatures = [entry for _, entry in checked]
    verdicts = {_verdict(entry) for entry in signatures}
    return {"status": next(v for v in WORST_FIRST if v in verdicts), "signatures": signatures}


def _validation_context(ca_bundle: str) -> ValidationContext:
    """Validation that trusts only the bundle's certificates and fetches nothing (so revocation is soft-fail)."""
    from pyhanko.keys import load_certs_from_pemder_data
    from pyhanko_certvalidator import ValidationContext

    try:
        roots = []
        if ca_bundle:
            with open(ca_bundle, "rb") as handle:
                roots = list(load_certs_from_pemder_data(handle.read()))
            if not roots:
                raise ValueError("no certificates")
        return ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
    except Exception as exc:
        from ecabinet.pdf_work import Rejection

        # The bundle is the server's own configuration: saying "untrusted" instead would hide the mistake.
        raise Rejection("ca_bundle_unreadable", f"The trusted CA bundle {ca_bundle} cannot be used: {exc}") from exc


def _signature(
    reader: PdfFileReader, name: str, field: Any, context: ValidationContext, usage: KeyUsageConstraints
) -> tuple[int, dict[str, Any]]:
    """One signature's entry, with the revision it signed (so that entries list in signing order)."""
    from pyhanko.sign.validation import EmbeddedPdfSignature, validate_pdf_signature, validate_pdf_timestamp
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    entry: dict[str, Any] = {
        "field": name,
        "signer": "",
        "signing_time": None,
        "intact": False,
        "valid": False,
        "trusted": False,
        "whole_file": False,
        "modified_after": True,
        "summary": "INVALID",
    }
    revision = -1
    signing_time: datetime.datetime | None
    status: PdfSignatureStatus | DocumentTimestampStatus
    try:
        embedded = EmbeddedPdfSignature(reader, field, name)
        revision = int(embedded.signed_revision)
        entry["signer"] = _signer_name(embedded.signer_cert)
        if embedded.sig_object_type == "/DocTimeStamp":
            stamp = validate_pdf_timestamp(embedded, context)
            signing_time, status = stamp.timestamp, stamp
        else:
            signature = validate_pdf_signature(embedded, context, key_usage_settings=usage)
            signing_time, status = signature.signer_reported_dt, signature
    except MemoryError:
        raise
    except Exception as exc:
        # A signature too broken to check (no /ByteRange, unparseable CMS, unknown /SubFilter) fails, not the file.
        entry["summary"] = f"INVALID: {type(exc).__name__}: {exc}"[:MAX_SUMMARY_CHARS]
        return revision, entry
    entry.update(
        signing_time=_iso_utc(signing_time),
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        modified_after=status.docmdp_ok is not True,
        summary=status.summary()[:MAX_SUMMARY_CHARS],
    )
    return revision, entry


def _verdict(entry: dict[str, Any]) -> str:
    if not (entry["intact"] and entry["valid"]):
        return INVALID
    if entry["modified_after"]:
        return MODIFIED
    if not entry["trusted"]:
        return UNTRUSTED
    return VALID


def _signer_name(certificate: Any) -> str:
    from cryptography import x509

    from ecabinet.signing import certificate_name

    try:
        return certificate_name(x509.load_der_x509_certificate(certificate.dump()))
    except Exception:
        # A certificate cryptography refuses still has the subject pyHanko read.
        return str(certificate.subject.human_friendly)[:MAX_SUMMARY_CHARS]


def _iso_utc(moment: datetime.datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC).isoformat()
