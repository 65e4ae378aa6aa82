"""Digital signatures with real pyHanko and real keys: signing our PDFs, and checking signatures on uploaded ones."""

from __future__ import annotations

import asyncio
import datetime
import io
import stat
from pathlib import Path
from typing import Any

import pymupdf
import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields

from ecabinet import pdf_work, signature_check, signing
from ecabinet.sandbox import PRIORITY_PROCESS, Sandbox, SandboxLimits
from tests import pdf_samples

LIMITS = {"max_pages": 2000, "max_page_points": 14400}
REASON = "Ký ban hành Quyết định số 12/QĐ-UBND"
LOCATION = "Hà Nội"


class Authority:
    """A throwaway CA with one signer, and its CA bundle on disk."""

    def __init__(self, directory: Path, name: str, signer_name: str, organisation: str) -> None:
        directory.mkdir()
        ca_key, self.ca_cert = signing.make_ca(name)
        key, cert = signing.make_leaf(ca_key, self.ca_cert, signer_name, organisation)
        self.p12 = directory / "signer.p12"
        signing.write_p12(self.p12, key, cert, [self.ca_cert], "mật khẩu")
        self.bundle = directory / "ca.pem"
        signing.write_ca_bundle(self.bundle, [self.ca_cert])
        self.signer = signing.load_signer(self.p12, "mật khẩu")


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    return Authority(
        tmp_path_factory.mktemp("pki") / "city", "Test Root CA", "Nguyễn Văn An", "Ủy ban nhân dân thành phố Hà Nội"
    )


@pytest.fixture(scope="module")
def stranger(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    return Authority(tmp_path_factory.mktemp("pki") / "other", "Unrelated CA", "Someone Else", "Elsewhere")


@pytest.fixture(scope="module")
def signed(authority: Authority, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("signed") / "paper.pdf"
    path.write_bytes(signing.sign_pdf(pdf_samples.paper(pages=1), authority.signer, reason=REASON, location=LOCATION))
    return path


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_a_signed_paper_is_valid_against_its_ca(authority: Authority, signed: Path) -> None:
    """Our signature checks out: intact, whole file, trusted, named for the signer, signed just now."""
    answer = signature_check.check(str(signed), str(authority.bundle))
    assert answer["status"] == "valid"
    (signature,) = answer["signatures"]
    assert signature["field"] == "Signature1"
    assert signature["signer"] == "Nguyễn Văn An, Ủy ban nhân dân thành phố Hà Nội"
    assert signature["intact"] and signature["valid"] and signature["trusted"] and signature["whole_file"]
    assert not signature["modified_after"]
    assert signature["summary"] == "INTACT:TRUSTED,UNTOUCHED"
    signed_at = datetime.datetime.fromisoformat(signature["signing_time"])
    assert signed_at.utcoffset() == datetime.timedelta(0)
    assert abs(datetime.datetime.now(datetime.UTC) - signed_at) < datetime.timedelta(minutes=1)


def test_the_reason_and_place_keep_their_vietnamese(signed: Path) -> None:
    """The signature's reason and location read back exactly as given, diacritics and all."""
    with signed.open("rb") as handle:
        (embedded,) = PdfFileReader(handle).embedded_signatures
        assert embedded.sig_object["/Reason"] == REASON
        assert embedded.sig_object["/Location"] == LOCATION
        assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"


def test_a_corpus_pdf_signs_and_validates(authority: Authority, tmp_path: Path) -> None:
    """A real-world pdfTeX file, signed, checks out as valid and still has its four pages."""
    data = signing.sign_pdf(pdf_samples.FOUR_PAGES.read_bytes(), authority.signer, reason=REASON, location=LOCATION)
    path = write(tmp_path, "four.pdf", data)
    assert signature_check.check(path, str(authority.bundle))["status"] == "valid"
    assert pymupdf.open(path).page_count == 4


def test_page_content_added_after_signing_is_a_modification(authority: Authority, signed: Path, tmp_path: Path) -> None:
    """An incremental update that draws on a signed page leaves the signature intact but the file `modified`."""
    writer = IncrementalPdfFileWriter(io.BytesIO(signed.read_bytes()))
    stream = writer.add_object(generic.StreamObject(stream_data=b"1 0 0 RG 10 10 m 300 300 l S"))
    writer.add_stream_to_page(0, stream)
    output = io.BytesIO()
    writer.write(output)
    answer = signature_check.check(write(tmp_path, "drawn.pdf", output.getvalue()), str(authority.bundle))
    assert answer["status"] == "modified"
    (signature,) = answer["signatures"]
    assert signature["intact"] and signature["valid"] and signature["trusted"]
    assert not signature["whole_file"] and signature["modified_after"]
    assert "ILLEGAL_MODIFICATIONS" in signature["summary"]


def test_a_drawing_saved_incrementally_by_a_viewer_is_a_modification(
    authority: Authority, signed: Path, tmp_path: Path
) -> None:
    """PyMuPDF's incremental save of a rectangle drawn on the page is caught the same way."""
    path = Path(write(tmp_path, "rect.pdf", signed.read_bytes()))
    doc = pymupdf.open(path)
    doc[0].draw_rect(pymupdf.Rect(50, 50, 200, 120), color=(1, 0, 0))
    doc.saveIncr()
    doc.close()
    assert signature_check.check(str(path), str(authority.bundle))["status"] == "modified"


def test_a_flipped_byte_in_the_signed_range_is_invalid(authority: Authority, signed: Path, tmp_path: Path) -> None:
    """One changed byte under the signature breaks the digest: `invalid`, not intact."""
    data = bytearray(signed.read_bytes())
    # A byte of the binary comment on the file's second line: inside the signed range, yet the file still parses.
    data[data.index(b"\n") + 2] ^= 0x01
    answer = signature_check.check(write(tmp_path, "flipped.pdf", bytes(data)), str(authority.bundle))
    assert answer["status"] == "invalid"
    (signature,) = answer["signatures"]
    assert not signature["intact"] and not signature["trusted"]


def test_a_second_signature_later_keeps_the_first_valid(authority: Authority, signed: Path, tmp_path: Path) -> None:
    """Countersigning is an allowed change: both signatures valid, only the last covers the whole file."""
    data = signing.sign_pdf(
        signed.read_bytes(), authority.signer, reason="Đồng ý", location=LOCATION, field_name="Signature2"
    )
    answer = signature_check.check(write(tmp_path, "twice.pdf", data), str(authority.bundle))
    assert answer["status"] == "valid"
    first, second = answer["signatures"]
    assert (first["field"], second["field"]) == ("Signature1", "Signature2")
    assert not first["whole_file"] and not first["modified_after"]
    assert second["whole_file"]


def test_a_signature_from_another_ca_is_untrusted(stranger: Authority, signed: Path) -> None:
    """Checked against an unrelated CA bundle, a sound signature is `untrusted`."""
    answer = signature_check.check(str(signed), str(stranger.bundle))
    assert answer["status"] == "untrusted"
    (signature,) = answer["signatures"]
    assert signature["intact"] and signature["valid"] and not signature["trusted"]


def test_without_a_ca_bundle_every_signature_is_untrusted(signed: Path) -> None:
    """No configured trust roots (empty bundle path): sound signatures are `untrusted`, never `valid`."""
    assert signature_check.check(str(signed), "")["status"] == "untrusted"


def test_an_unreadable_ca_bundle_is_a_rejection(signed: Path, tmp_path: Path) -> None:
    """A CA bundle path that cannot be read is the server's mistake, reported as such rather than as `untrusted`."""
    with pytest.raises(pdf_work.Rejection) as rejected:
        signature_check.check(str(signed), str(tmp_path / "missing.pem"))
    assert rejected.value.reason == "ca_bundle_unreadable"


def test_an_unsigned_pdf_has_no_signatures(authority: Authority, tmp_path: Path) -> None:
    """A plain paper answers `none` with an empty list."""
    path = write(tmp_path, "plain.pdf", pdf_samples.paper(pages=1))
    assert signature_check.check(path, str(authority.bundle)) == {"status": "none", "signatures": []}


def test_garbage_named_pdf_is_answered_not_raised(authority: Authority, tmp_path: Path) -> None:
    """Bytes that are no PDF at all give a clean `invalid` answer."""
    path = write(tmp_path, "garbage.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 40)
    assert signature_check.check(path, str(authority.bundle)) == {"status": "invalid", "signatures": []}


def test_inspect_tells_signed_from_unsigned(signed: Path, tmp_path: Path) -> None:
    """`inspect` reports `signed` for a filled signature field only, not for a plain file or an empty field."""
    plain = pdf_samples.paper(pages=1)
    writer = IncrementalPdfFileWriter(io.BytesIO(plain))
    fields.append_signature_field(writer, fields.SigFieldSpec("Empty"))
    empty_field = io.BytesIO()
    writer.write(empty_field)
    assert pdf_work.inspect(str(signed), LIMITS)["signed"] is True
    assert pdf_work.inspect(write(tmp_path, "plain.pdf", plain), LIMITS)["signed"] is False
    assert pdf_work.inspect(write(tmp_path, "field.pdf", empty_field.getvalue()), LIMITS)["signed"] is False


def form(tmp_path: Path, name: str, objects: list[str], fields: str) -> str:
    """A one-page PDF whose AcroForm lists `fields`; `{0}`, `{1}`… in the sources name the objects' numbers."""
    doc = pymupdf.open()
    doc.new_page()
    numbers = [doc.get_new_xref() for _ in objects]
    for number, source in zip(numbers, objects, strict=True):
        doc.update_object(number, source.format(*numbers))
    doc.xref_set_key(doc.pdf_catalog(), "AcroForm", f"<< /Fields {fields.format(*numbers)} >>")
    return write(tmp_path, name, doc.tobytes())


def test_inspect_finds_a_signature_deep_in_a_form_and_survives_a_cyclic_one(tmp_path: Path) -> None:
    """A signature two levels down behind an indirect /Fields array is found; fields that are each other's kids end."""
    nested = form(
        tmp_path,
        "nested.pdf",
        [
            "[{1} 0 R]",
            "<< /T (parent) /FT /Sig /Kids [{2} 0 R] >>",
            "<< /T (child) /Parent {1} 0 R /V {3} 0 R >>",
            "<< /Type /Sig /ByteRange [0 10 20 30] /Contents <00> >>",
        ],
        "{0} 0 R",
    )
    cyclic = form(
        tmp_path,
        "cyclic.pdf",
        ["<< /T (a) /Kids [{1} 0 R] >>", "<< /T (b) /Kids [{0} 0 R {1} 0 R] >>"],
        "[{0} 0 R {1} 0 R]",
    )
    assert pdf_work.inspect(nested, LIMITS)["signed"] is True
    assert pdf_work.inspect(cyclic, LIMITS)["signed"] is False


def test_the_sandbox_job_answers_as_the_function_does(authority: Authority, signed: Path) -> None:
    """The `signatures` job in a real worker process gives the same answer as calling `check` here."""
    expected = signature_check.check(str(signed), str(authority.bundle))

    async def main() -> tuple[dict[str, Any], dict[str, Any]]:
        sandbox = Sandbox(SandboxLimits(workers=1, memory_bytes=512 * 1024 * 1024, job_timeout_secs=30.0))
        await sandbox.start()
        try:
            info = await sandbox.run("inspect", PRIORITY_PROCESS, path=str(signed), limits=LIMITS)
            answer = await sandbox.run(
                "signatures", PRIORITY_PROCESS, path=str(signed), ca_bundle=str(authority.bundle)
            )
        finally:
            await sandbox.stop()
        return info, answer

    info, answer = asyncio.run(main())
    assert info["signed"] is True
    assert answer == expected


def test_the_demo_certificate_is_made_once_and_signs(tmp_path: Path) -> None:
    """`ensure_demo_certificate` makes its files once, reuses them after, and its key signs a PDF its CA trusts."""
    directory = tmp_path / "demo"
    p12, passphrase, bundle = signing.ensure_demo_certificate(directory)
    made = {path.name: path.read_bytes() for path in directory.iterdir() if not path.name.startswith(".")}
    assert set(made) == {"demo-ca.pem", "organisation.p12", "organisation.pass"}
    assert stat.S_IMODE((directory / "organisation.pass").stat().st_mode) == 0o600
    assert signing.ensure_demo_certificate(directory) == (p12, passphrase, bundle)
    assert {path.name: path.read_bytes() for path in directory.iterdir() if not path.name.startswith(".")} == made
    signer = signing.load_signer(p12, passphrase)
    assert signing.subject_name(signer) == "Ủy ban nhân dân thành phố Hà Nội"
    data = signing.sign_pdf(pdf_samples.paper(pages=1), signer, reason=REASON, location=LOCATION)
    assert signature_check.check(write(tmp_path, "demo.pdf", data), str(bundle))["status"] == "valid"


def test_a_wrong_passphrase_is_a_clear_error(authority: Authority, tmp_path: Path) -> None:
    """A wrong passphrase or a missing file raises SigningError saying which file and what is wrong."""
    with pytest.raises(signing.SigningError, match="passphrase is wrong") as wrong:
        signing.load_signer(authority.p12, "not the passphrase")
    assert str(authority.p12) in wrong.value.message
    with pytest.raises(signing.SigningError, match="Cannot read"):
        signing.load_signer(tmp_path / "missing.p12", "mật khẩu")


def test_a_key_that_is_not_the_certificates_is_refused(authority: Authority, stranger: Authority) -> None:
    """A signer whose key does not match its certificate is refused before it can make a signature nobody can check."""
    with pytest.raises(signing.SigningError, match="does not belong"):
        signing.Signer(stranger.signer.key, authority.signer.certificate)
