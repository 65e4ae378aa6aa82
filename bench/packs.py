"""Benchmark of briefing-pack PDF work: text, tablet page images, their size, a worker's memory, an upload.

Every figure is printed beside a baseline measured in the same run. Method (DESIGN §9): the figures that
compare the product with poppler run the product in this process pinned to core 0 (`sched_setaffinity`)
and poppler's tools pinned to the same core (`taskset -c 0`); after an untimed warm-up, baseline and
product runs alternate (B, P, B, P, …, `--runs` of each), and the report gives the median and the spread
(min–max) across runs and the ratio of the medians; for figures 1 and 2 also the rates per CPU second
(this process's CPU and that of the tools it waited for), which hold when other work shares the cores.

The files: a 300-page pack of Vietnamese administrative papers generated here with PyMuPDF in the Noto
Sans fonts of `pymupdf-fonts` (headings, justified paragraphs, a ruled table on every other page, a chart
or a photograph on every tenth), and the multi-page files of `../shared/pdf-corpus` (password-protected
files and files without readable pages are left out; a file of 50 pages or more is a set of its own).

1. **Text extraction, pages/s.** Product: `pdf_work.extract(path, 1, pages, thumb_width=0)` over whole
   files, in this long-lived process (as a sandbox worker is). Baseline: `pdftotext` on the same files,
   one process per file, text to /dev/null; its time includes starting the process (the floor is printed,
   it matters only for small files). For reference, not as the target: `pdftotext -bbox`, which also
   gives each word's box as extract does, and MuPDF's own `get_text("words")`. The product's answer is
   also JSON-encoded by the worker in the server; that cost is printed apart and not counted. Target: ≥ 1.5× pdftotext.
2. **150-DPI tablet JPEG, pages/s on one core.** Product: open each file in this process and
   `pdf_work.render_to(page, width_pt × 150/72, "jpg", out)` for its first `--render-pages` pages, the
   open counted. Baseline: `pdftoppm -r 150 -jpeg -f 1 -l N` per file, the process counted. Both encode
   JPEG at quality 75 (`pdf_work.JPEG_QUALITY`, libjpeg's default in pdftoppm) into files in a temp dir.
   Target: ≥ 1.5× pdftoppm.
3. **Bytes per page image at 1200 px wide**: the product's JPEG (`render_to`, its JPEG_QUALITY) against
   Pillow's JPEG at quality 80 of the same pixmap. Sizes, not times: one pass. Target: product ≤ q80.
4. **A PDF worker's memory.** The real sandbox (`Sandbox`, one worker, the default limits): inspect,
   extract with 200-px thumbnails in runs of `processor.RUN_PAGES` pages (as the processor does) and
   render at 800, 1200 and 2400 px; the worker's peak RSS (VmHWM) against the 1 GiB budget. Then hostile
   pages at the largest size accepted (14400 pt): a 14400×14400 pt page and a 100×14400 pt strip,
   rendered by the worker at width 1200 with max_px 2400 (peak reset through /proc/<pid>/clear_refs
   before each), against the same page rasterized without the cap in a fresh process: PyMuPDF's default
   `get_pixmap()` (72 DPI) for the square, width 1200 for the strip. The baseline time is rasterization
   alone (no JPEG, no IPC), so its ratio understates the gap.
5. **An upload end to end** through the real server (`ecabinet serve --demo` on a free port, a fresh data
   dir, SQLite, not pinned: its two PDF workers use both cores; this client is pinned to core 1). Signed
   in as the secretary, a generated 500-page pack (each upload a fresh file: its title differs, so its
   sha256 does) is posted to the first agenda item; from the moment the upload answers 202, (a) page 1 at
   width 800 is polled every 20 ms until it is a JPEG (409 `not_ready` until the file is inspected), and
   (b) the document every 50 ms until it is `ready`. Targets: (a) ≤ 1 s, (b) ≤ 10 s. Baseline, interleaved:
   the same work without the server, serially in this process on core 1: inspect + render page 1 at 800 px
   for (a), inspect + extract with thumbnails in the processor's runs for (b). The server's and its workers' CPU
   seconds per upload are printed. An untimed one-page upload first starts the workers (they start on the
   first upload); its time to page 1 is reported as the cold-server figure.

    .venv/bin/python bench/packs.py [--runs 5] [--uploads 3] [--render-pages 30] [--parts 1,2,3,4,5]

Exit status: 0 when every part ran (whether or not its targets were met), 1 when the benchmark failed,
2 when part 5 could not run (the server's document routes missing or failing): the other figures stand.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import httpx
import pymupdf
from PIL import Image, ImageDraw
from state import BenchError, Row, Server, summary, wait_until_healthy

from ecabinet import pdf_work
from ecabinet.processor import RUN_PAGES, THUMBNAIL_WIDTH
from ecabinet.sandbox import PRIORITY_PROCESS, PRIORITY_VIEW, Sandbox, SandboxLimits
from ecabinet.settings import SETTINGS

PRODUCT_CORE = 0
CLIENT_CORE = 1
DPI = 150
TABLET_WIDTH = 1200
COMPARE_QUALITY = 80
RENDER_WIDTHS = (800, 1200, 2400)
WORKER_BUDGET_BYTES = 1 << 30
PACK_PAGES = 300
UPLOAD_PACK_PAGES = 500
LARGE_FILE_PAGES = 50
HOSTILE_POINTS = 14400
HOSTILE_STRIP_POINTS = 100
TARGET_SPEEDUP = 1.5
VIEW_WIDTH = 800
TARGET_FIRST_PAGE_SECS = 1.0
TARGET_READY_SECS = 10.0
FIRST_PAGE_POLL_SECS = 0.02
READY_POLL_SECS = 0.05
READY_TIMEOUT_SECS = 120.0
REQUEST_TIMEOUT_SECS = 60.0
SECRETARY_LOGIN = "thuky"
DEMO_PASSWORD = "demo"
DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "pdf-corpus"
MAX_PX = int(SETTINGS["ECABINET_PAGE_IMAGE_MAX_PX"][0])
LIMITS = {
    "max_pages": int(SETTINGS["ECABINET_PDF_MAX_PAGES"][0]),
    "max_page_points": int(SETTINGS["ECABINET_PDF_MAX_PAGE_POINTS"][0]),
}

A4 = (595.28, 841.89)
LEFT, RIGHT, TOP, BOTTOM = 62.0, 533.0, 58.0, 790.0
REGULAR, BOLD = "notos", "notosbo"
GREY = (0.35, 0.35, 0.35)
TITLES = ("TỜ TRÌNH", "BÁO CÁO", "KẾ HOẠCH", "DỰ THẢO NGHỊ QUYẾT")
SUBJECTS = (
    "Về việc phê duyệt kế hoạch đầu tư công trung hạn giai đoạn 2026–2030",
    "Về tình hình kinh tế – xã hội quý III và nhiệm vụ trọng tâm quý IV năm 2026",
    "Về việc điều chỉnh cục bộ quy hoạch chung xây dựng khu đô thị mới phía Đông",
    "Về kết quả giải quyết thủ tục hành chính trên môi trường điện tử",
)
SECTIONS = (
    "Căn cứ pháp lý và sự cần thiết",
    "Đánh giá tình hình thực hiện",
    "Mục tiêu, nhiệm vụ và giải pháp chủ yếu",
    "Nguồn vốn và cơ cấu phân bổ",
    "Tổ chức thực hiện",
    "Kiến nghị, đề xuất",
)
SENTENCES = (
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015 và Luật sửa đổi, bổ sung một số điều "
    "của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương ngày 22 tháng 11 năm 2019.",
    "Ủy ban nhân dân thành phố kính trình Hội đồng nhân dân thành phố xem xét, quyết định các nội dung sau đây.",
    "Trong kỳ, tổng vốn đầu tư công đã giải ngân đạt 87,4% kế hoạch, cao hơn cùng kỳ năm trước 6,2 điểm phần trăm.",
    "Các sở, ban, ngành và Ủy ban nhân dân các phường, xã chủ động rà soát, tháo gỡ khó khăn, vướng mắc về bồi "
    "thường, hỗ trợ, tái định cư, bảo đảm tiến độ các công trình trọng điểm.",
    "Việc tiếp nhận và trả kết quả hồ sơ thủ tục hành chính được thực hiện trực tuyến toàn trình đối với 1.248 thủ "
    "tục, chiếm tỷ lệ 92,6% tổng số thủ tục thuộc thẩm quyền giải quyết của thành phố.",
    "Giao Sở Tài chính chủ trì, phối hợp với Sở Xây dựng và các đơn vị liên quan tham mưu phân bổ chi tiết nguồn "
    "vốn, báo cáo Thường trực Hội đồng nhân dân thành phố trước ngày 15 tháng 12.",
    "Một số dự án còn chậm tiến độ do vướng mắc về mặt bằng, giá vật liệu xây dựng tăng và năng lực của nhà thầu "
    "chưa đáp ứng yêu cầu; cần kiên quyết điều chuyển vốn từ các dự án giải ngân chậm.",
    "Đề nghị các đại biểu nghiên cứu tài liệu, cho ý kiến trực tiếp tại phiên họp hoặc gửi văn bản về Văn phòng "
    "Đoàn đại biểu Quốc hội và Hội đồng nhân dân thành phố.",
)
TABLE_HEAD = ("STT", "Nội dung", "Đơn vị chủ trì", "Kinh phí (tr. đồng)")
TABLE_ROWS = (
    ("Cải tạo, nâng cấp tuyến đường Nguyễn Trãi", "Sở Xây dựng"),
    ("Xây dựng Trường THCS Lê Quý Đôn", "Sở Giáo dục và Đào tạo"),
    ("Nạo vét kênh Nhiêu Lộc – Thị Nghè", "Sở Nông nghiệp và Môi trường"),
    ("Mở rộng Bệnh viện đa khoa khu vực", "Sở Y tế"),
    ("Số hóa hồ sơ một cửa liên thông", "Sở Khoa học và Công nghệ"),
    ("Chỉnh trang vỉa hè, chiếu sáng đô thị", "UBND các phường"),
)
TABLE_COLUMNS = (LEFT, LEFT + 28, LEFT + 222, LEFT + 376, RIGHT)

# Rasterizes one page without the cap, in a fresh process, and reports its own time, peak RSS and size.
UNCAPPED_RENDER = """
import sys, time
import pymupdf
page = pymupdf.open(sys.argv[1])[int(sys.argv[2]) - 1]
scale = float(sys.argv[3])
started = time.perf_counter()
pix = page.get_pixmap(matrix=pymupdf.Matrix(scale, scale), alpha=False, colorspace=pymupdf.csRGB)
elapsed = time.perf_counter() - started
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:")).split()[1]
print(elapsed, hwm, pix.width, pix.height)
"""


@dataclass(frozen=True)
class PackFile:
    """One PDF and its page count."""

    path: Path
    pages: int


@dataclass(frozen=True)
class FileSet:
    """Files reported together."""

    name: str
    files: tuple[PackFile, ...]

    @property
    def pages(self) -> int:
        return sum(f.pages for f in self.files)

    def render_pages(self, per_file: int) -> int:
        return sum(min(f.pages, per_file) for f in self.files)


# ---------------------------------------------------------------------------------------------- the files


def chart_png() -> bytes:
    image = Image.new("RGB", (640, 360), "white")
    draw = ImageDraw.Draw(image)
    draw.line([(40, 20), (40, 330), (620, 330)], fill=(60, 60, 60), width=2)
    for i, height in enumerate((120, 170, 150, 210, 240, 200, 260, 290)):
        draw.rectangle([60 + 70 * i, 330 - height, 105 + 70 * i, 330], fill=(30, 80 + 18 * i, 150))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def photo_jpeg() -> bytes:
    size = (800, 500)
    sky = Image.linear_gradient("L").resize(size)
    noise = Image.effect_noise(size, 48)
    image = Image.merge("RGB", (Image.blend(sky, noise, 0.5), noise, sky.transpose(Image.Transpose.ROTATE_180)))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def text_box(shape: pymupdf.Shape, y: float, text: str, size: float, font: str = REGULAR, align: int = 3) -> float:
    """Write `text` justified from `y` in the page's column; return the y below it (unchanged if it did not fit)."""
    height = BOTTOM - y
    if height < size * 2:
        return y
    spare = shape.insert_textbox(pymupdf.Rect(LEFT, y, RIGHT, BOTTOM), text, fontname=font, fontsize=size, align=align)
    return y if spare < 0 else BOTTOM - spare + size * 0.6


def table(shape: pymupdf.Shape, y: float, index: int) -> float:
    row_height = 18.0
    rows = [TABLE_HEAD] + [
        (str(n + 1), what, who, f"{(index * 37 + n * 1291) % 90_000 + 1_500:,}".replace(",", "."))
        for n, (what, who) in enumerate(TABLE_ROWS)
    ]
    if y + row_height * len(rows) > BOTTOM:
        return y
    for number, cells in enumerate(rows):
        for x, cell in zip(TABLE_COLUMNS, cells, strict=False):
            shape.insert_text((x + 4, y + 13), cell, fontname=BOLD if number == 0 else REGULAR, fontsize=9)
        shape.draw_line((LEFT, y), (RIGHT, y))
        y += row_height
    shape.draw_line((LEFT, y), (RIGHT, y))
    for x in TABLE_COLUMNS:
        shape.draw_line((x, y - row_height * len(rows)), (x, y))
    shape.finish(width=0.5, color=(0, 0, 0))
    return y + 12


def write_pack(path: Path, pages: int) -> None:
    """A briefing pack of `pages` A4 pages of Vietnamese administrative papers (see the module docstring)."""
    regular, bold = pymupdf.Font(REGULAR), pymupdf.Font(BOLD)
    pictures = {"chart": chart_png(), "photo": photo_jpeg()}
    xrefs: dict[str, int] = {}
    doc = pymupdf.open()
    for index in range(pages):
        page = doc.new_page(width=A4[0], height=A4[1])
        page.insert_font(fontname=REGULAR, fontbuffer=regular.buffer)
        page.insert_font(fontname=BOLD, fontbuffer=bold.buffer)
        shape = page.new_shape()
        shape.insert_text(
            (LEFT, 36), "ỦY BAN NHÂN DÂN THÀNH PHỐ · Tài liệu kỳ họp thứ 12", fontname=REGULAR, fontsize=8
        )
        shape.insert_text((RIGHT - 60, 816), f"Trang {index + 1}/{pages}", fontname=REGULAR, fontsize=8, color=GREY)
        y = TOP
        if index % 10 == 0:
            paper = index // 10
            y = text_box(shape, y, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập – Tự do – Hạnh phúc", 11, BOLD, 1)
            y = text_box(shape, y + 8, f"{TITLES[paper % len(TITLES)]} số {paper + 101}/TTr-UBND", 14, BOLD, 1)
            y = text_box(shape, y, SUBJECTS[paper % len(SUBJECTS)], 11, REGULAR, 1)
            y = text_box(shape, y + 4, "Kính gửi: Hội đồng nhân dân thành phố.", 11)
        y = text_box(shape, y + 4, f"{index % 6 + 1}. {SECTIONS[index % len(SECTIONS)]}", 12, BOLD, 0)
        for paragraph in range(2):
            start = index + paragraph * 3
            y = text_box(shape, y, " ".join(SENTENCES[(start + k) % len(SENTENCES)] for k in range(3)), 10.5)
        if index % 10 == 5:
            kind = "chart" if index % 20 == 5 else "photo"
            box = pymupdf.Rect(LEFT + 60, y, RIGHT - 60, y + 210)
            if kind in xrefs:
                page.insert_image(box, xref=xrefs[kind])
            else:
                xrefs[kind] = page.insert_image(box, stream=pictures[kind])
            caption = "Hình: Tiến độ giải ngân theo tháng" if kind == "chart" else "Hình: Hiện trạng công trình"
            y = text_box(shape, y + 214, caption, 9, REGULAR, 1)
        elif index % 2 == 1:
            y = table(shape, y + 4, index)
        for paragraph in range(3):
            y = text_box(
                shape, y, " ".join(SENTENCES[(index + 5 + paragraph + k) % len(SENTENCES)] for k in range(2)), 10.5
            )
        shape.commit()
    doc.subset_fonts()
    doc.set_metadata({"title": "Tài liệu kỳ họp thứ 12", "author": "Văn phòng UBND thành phố", "producer": "bench"})
    doc.save(path, garbage=3, deflate=True)


def first_pages(source: Path, target: Path, count: int) -> None:
    with pymupdf.open(source) as src, pymupdf.open() as doc:
        doc.insert_pdf(src, to_page=count - 1)
        doc.save(target, garbage=3, deflate=True)


def edition(source: Path, target: Path, number: int) -> None:
    """A copy whose title names the edition, so that each upload is a fresh file (another sha256)."""
    with pymupdf.open(source) as doc:
        doc.set_metadata({"title": f"Tài liệu kỳ họp thứ 12 – bản {number} ({time.time_ns()})"})
        doc.save(target, garbage=1, deflate=True)


def write_hostile(path: Path) -> None:
    """Two pages at the largest size accepted: a 14400 pt square and a 100×14400 pt strip."""
    with pymupdf.open() as doc:
        for width in (HOSTILE_POINTS, HOSTILE_STRIP_POINTS):
            page = doc.new_page(width=width, height=HOSTILE_POINTS)
            page.draw_rect(pymupdf.Rect(5, 5, width - 5, HOSTILE_POINTS - 5), color=(0, 0, 0.6), fill=(0.85, 0.9, 1))
            page.insert_text((10, 100), "Trang khổng lồ", fontsize=min(48, width / 10))
        doc.save(path, garbage=3, deflate=True)


def corpus_sets(corpus: Path) -> list[FileSet]:
    """The corpus's multi-page files: each large one a set of its own, the rest one set."""
    large: list[FileSet] = []
    small: list[PackFile] = []
    for path in sorted(corpus.glob("*/*.pdf")):
        try:
            with pymupdf.open(path) as doc:
                usable = not doc.needs_pass and not doc.is_encrypted
                pages = doc.page_count if usable else 0
        except Exception as exc:
            print(f"  corpus: {path.relative_to(corpus)} left out: {exc}")
            continue
        if not usable:
            print(f"  corpus: {path.relative_to(corpus)} left out: password-protected")
        elif pages == 0:
            print(f"  corpus: {path.relative_to(corpus)} left out: no readable pages")
        elif pages >= LARGE_FILE_PAGES:
            large.append(FileSet(f"corpus {path.stem[:14]} ({pages} p)", (PackFile(path, pages),)))
        elif pages >= 2:
            small.append(PackFile(path, pages))
    if small:
        large.append(FileSet(f"corpus {len(small)} files ({sum(f.pages for f in small)} p)", tuple(small)))
    return large


# ------------------------------------------------------------------------------------------- measuring


def spread(values: list[float], digits: int = 0) -> str:
    return f"{statistics.median(values):,.{digits}f} ({min(values):,.{digits}f}–{max(values):,.{digits}f})"


def ratio_text(value: float) -> str:
    return f"{value:.2f}×"


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def can_pin() -> bool:
    if not hasattr(os, "sched_setaffinity") or shutil.which("taskset") is None:
        return False
    return {PRODUCT_CORE, CLIENT_CORE} <= os.sched_getaffinity(0)


def tool(command: list[str], pin: bool) -> None:
    prefix = ["taskset", "-c", str(PRODUCT_CORE)] if pin else []
    done = subprocess.run([*prefix, *command], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if done.returncode != 0:
        raise BenchError(f"{' '.join(command)} exited with {done.returncode}: {done.stderr[:300]!r}")


def vm_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise BenchError(f"{key} missing from /proc/{pid}/status")


def reset_peak(pid: int) -> bool:
    """Reset a process's VmHWM to its current RSS (Linux ≥ 4.0); False where that is not allowed."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def product_extract(files: tuple[PackFile, ...]) -> None:
    for f in files:
        pdf_work.extract(str(f.path), 1, f.pages, 0, "")
        # As the sandbox's worker does after each job.
        pymupdf.TOOLS.store_shrink(100)


def mupdf_words(files: tuple[PackFile, ...]) -> None:
    for f in files:
        with pymupdf.open(f.path, filetype="pdf") as doc:
            for page in doc:
                page.get_text("words", sort=False)
        pymupdf.TOOLS.store_shrink(100)


def baseline_extract(files: tuple[PackFile, ...], pin: bool, *options: str) -> None:
    for f in files:
        tool(["pdftotext", "-q", *options, str(f.path), "/dev/null"], pin)


def tablet_width(page: pymupdf.Page) -> int:
    return round(page.rect.width * DPI / 72)


def product_render(files: tuple[PackFile, ...], per_file: int, out: Path) -> None:
    for index, f in enumerate(files):
        with pymupdf.open(f.path, filetype="pdf") as doc:
            for number in range(min(f.pages, per_file)):
                page = doc[number]
                pdf_work.render_to(page, tablet_width(page), "jpg", str(out / f"p{index}-{number + 1}.jpg"))
        pymupdf.TOOLS.store_shrink(100)


def baseline_render(files: tuple[PackFile, ...], per_file: int, out: Path, pin: bool) -> None:
    for index, f in enumerate(files):
        last = str(min(f.pages, per_file))
        tool(
            ["pdftoppm", "-q", "-r", str(DPI), "-jpeg", "-f", "1", "-l", last, str(f.path), str(out / f"b{index}")], pin
        )


@dataclass
class Rates:
    """Pages per second of one side on one set, one value per run: by the wall clock and per CPU second."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def add(self, pages: int, action: Callable[[], object]) -> float:
        wall, cpu = clocked(action)
        self.wall.append(pages / wall)
        self.cpu.append(pages / cpu)
        return pages / wall


def clocked(action: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of `action`: this process's CPU and that of the children it waited for."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu, started = time.process_time(), time.perf_counter()
    action()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    children = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, time.process_time() - cpu + children


def interleave(
    title: str,
    sets: list[FileSet],
    pages_of: Callable[[FileSet], int],
    baseline: tuple[str, Callable[[FileSet], object]],
    product: tuple[str, Callable[[FileSet], object]],
    runs: int,
) -> dict[str, tuple[Rates, Rates]]:
    """Time baseline and product on each set, alternately, after one untimed warm-up of each; pages/s."""
    (baseline_name, run_baseline), (product_name, run_product) = baseline, product
    for fileset in sets:
        run_baseline(fileset)
        run_product(fileset)
    rates = {s.name: (Rates(), Rates()) for s in sets}
    for index in range(1, runs + 1):
        for fileset in sets:
            pages = pages_of(fileset)
            b = rates[fileset.name][0].add(pages, lambda fs=fileset: run_baseline(fs))
            p = rates[fileset.name][1].add(pages, lambda fs=fileset: run_product(fs))
            print(f"  run {index}  {fileset.name:<30} {baseline_name} {b:>6,.0f} p/s   {product_name} {p:>6,.0f} p/s")
    print()
    print(f"  {title}: median (min–max) over {runs} runs; the same per CPU second (this process + its children)")
    print(
        f"  {'set':<30} {'pages':>5} {baseline_name:>20} {product_name:>20} {'ratio':>7}   "
        f"{baseline_name + ' CPU':>14} {product_name + ' CPU':>14} {'ratio':>7}"
    )
    for fileset in sets:
        b, p = rates[fileset.name]
        wall_ratio = statistics.median(p.wall) / statistics.median(b.wall)
        cpu_ratio = statistics.median(p.cpu) / statistics.median(b.cpu)
        print(
            f"  {fileset.name:<30} {pages_of(fileset):>5} {spread(b.wall):>20} {spread(p.wall):>20} "
            f"{ratio_text(wall_ratio):>7}   {statistics.median(b.cpu):>14,.0f} {statistics.median(p.cpu):>14,.0f} "
            f"{ratio_text(cpu_ratio):>7}"
        )
    return rates


def speed_rows(figure: str, rates: dict[str, tuple[Rates, Rates]], baseline: str) -> list[Row]:
    rows = []
    for name, (b_rates, p_rates) in rates.items():
        b, p = statistics.median(b_rates.wall), statistics.median(p_rates.wall)
        verdict = "PASS" if p / b >= TARGET_SPEEDUP else "FAIL"
        rows.append(
            Row(
                f"{figure}, {name}",
                f"{p:,.0f} p/s",
                f"{b:,.0f} p/s",
                ratio_text(p / b),
                f"≥ {TARGET_SPEEDUP}× {baseline}",
                verdict,
            )
        )
    return rows


def process_floor(command: list[str], pin: bool, times: int = 7) -> float:
    return statistics.median(timed(lambda: tool(command, pin)) for _ in range(times))


# ---------------------------------------------------------------------------------------------- parts


def part_text(sets: list[FileSet], runs: int, pin: bool, one_page: Path) -> list[Row]:
    print("\n1. Text extraction, pages/s on one core: pdftotext (B) against pdf_work.extract(thumb_width=0) (P)")
    pack = sets[0].files[0]
    found = pdf_work.extract(str(pack.path), 1, 1, 0, "")["pages"][0]["text"]
    with tempfile.NamedTemporaryFile(suffix=".txt") as text:
        tool(["pdftotext", "-q", "-l", "1", str(pack.path), text.name], pin)
        poppler = Path(text.name).read_text()
    if "ỦY BAN NHÂN DÂN" not in found or "ỦY BAN NHÂN DÂN" not in poppler:
        raise BenchError(f"the generated pack's Vietnamese text does not come back: {found[:120]!r}")
    floor = process_floor(["pdftotext", "-q", "-l", "1", str(one_page), "/dev/null"], pin)
    print(f"  pdftotext's per-process floor (one page): {floor * 1000:.1f} ms, inside every baseline file's time")
    rates = interleave(
        "text pages/s",
        sets,
        lambda s: s.pages,
        ("pdftotext", lambda s: baseline_extract(s.files, pin)),
        ("extract", lambda s: product_extract(s.files)),
        runs,
    )
    for fileset in sets:
        words = statistics.median(timed(lambda fs=fileset: mupdf_words(fs.files)) for _ in range(3))
        print(
            f"  for reference, MuPDF's get_text('words') alone on {fileset.name} (extract without its Python loop): "
            f"{fileset.pages / words:,.0f} p/s"
        )
    for fileset in sets:
        boxes = statistics.median(timed(lambda fs=fileset: baseline_extract(fs.files, pin, "-bbox")) for _ in range(3))
        print(
            f"  for reference, pdftotext -bbox on {fileset.name} (word boxes too, as extract gives): "
            f"{fileset.pages / boxes:,.0f} p/s"
        )
    for fileset in sets:
        answers = [pdf_work.extract(str(f.path), 1, f.pages, 0, "") for f in fileset.files]
        encode = timed(lambda a=answers: [json.dumps(answer, ensure_ascii=False) for answer in a])
        size = sum(len(json.dumps(answer, ensure_ascii=False).encode()) for answer in answers)
        print(
            f"  not counted: the worker's JSON answer for {fileset.name}: {encode * 1000 / fileset.pages:.2f} ms "
            f"and {size / fileset.pages / 1024:.1f} KiB per page"
        )
    return speed_rows("1 text", rates, "pdftotext")


def part_render(sets: list[FileSet], runs: int, per_file: int, pin: bool, one_page: Path, tmp: Path) -> list[Row]:
    print(
        f"\n2. {DPI}-DPI JPEG pages/s on one core (first {per_file} pages of each file): pdftoppm -r {DPI} -jpeg (B), "
        f"one process per file, against render_to(…, 'jpg') in this process, the open counted (P)"
    )
    out = tmp / "render"
    out.mkdir()
    floor = process_floor(["pdftoppm", "-q", "-r", str(DPI), "-jpeg", str(one_page), str(out / "floor")], pin)
    print(f"  pdftoppm's cost for one text page, process included: {floor * 1000:.1f} ms")
    pack = sets[0].files[0]
    baseline_render((pack,), 1, out, pin)
    product_render((pack,), 1, out)
    with Image.open(out / "p0-1.jpg") as mine, Image.open(next(out.glob("b0-*.jpg"))) as theirs:
        print(
            f"  page 1 of the pack: product {mine.size[0]}×{mine.size[1]} px, "
            f"pdftoppm {theirs.size[0]}×{theirs.size[1]} px"
        )
    rates = interleave(
        "150-DPI JPEG pages/s",
        sets,
        lambda s: s.render_pages(per_file),
        ("pdftoppm", lambda s: baseline_render(s.files, per_file, out, pin)),
        ("render_to", lambda s: product_render(s.files, per_file, out)),
        runs,
    )
    return speed_rows("2 JPEG 150 DPI", rates, "pdftoppm")


def part_bytes(sets: list[FileSet], per_file: int, tmp: Path) -> list[Row]:
    print(
        f"\n3. Bytes per page image {TABLET_WIDTH} px wide: render_to's JPEG (quality {pdf_work.JPEG_QUALITY}) "
        f"against Pillow JPEG quality {COMPARE_QUALITY} of the same pixmap (first {per_file} pages of each file)"
    )
    out = tmp / "bytes"
    totals = [0, 0, 0]
    print(f"  {'set':<30} {'pages':>5} {'product KiB/page':>17} {'q80 KiB/page':>13} {'ratio':>7}")
    for fileset in sets:
        mine = theirs = pages = 0
        for f in fileset.files:
            with pymupdf.open(f.path) as doc:
                for number in range(min(f.pages, per_file)):
                    page = doc[number]
                    target = out / f"{number}.jpg"
                    width = pdf_work.render_to(page, TABLET_WIDTH, "jpg", str(target))
                    rect = page.rect
                    scale = TABLET_WIDTH / rect.width
                    if max(rect.width, rect.height) * scale > MAX_PX:
                        scale = MAX_PX / max(rect.width, rect.height)
                    pix = page.get_pixmap(matrix=pymupdf.Matrix(scale, scale), alpha=False, colorspace=pymupdf.csRGB)
                    if pix.width != width:
                        raise BenchError(
                            f"{f.path.name} page {number + 1}: {pix.width} px here, {width} px in render_to"
                        )
                    image = Image.frombuffer("RGB", (pix.width, pix.height), pix.samples_mv, "raw", "RGB", 0, 1)
                    buffer = io.BytesIO()
                    image.save(buffer, "JPEG", quality=COMPARE_QUALITY)
                    mine += target.stat().st_size
                    theirs += buffer.tell()
                    pages += 1
        print(
            f"  {fileset.name:<30} {pages:>5} {mine / pages / 1024:>17.1f} {theirs / pages / 1024:>13.1f} "
            f"{ratio_text(mine / theirs):>7}"
        )
        totals = [totals[0] + mine, totals[1] + theirs, totals[2] + pages]
    mine, theirs, pages = totals
    print(
        f"  {'all':<30} {pages:>5} {mine / pages / 1024:>17.1f} {theirs / pages / 1024:>13.1f} "
        f"{ratio_text(mine / theirs):>7}"
    )
    return [
        Row(
            f"3 bytes/page at {TABLET_WIDTH} px, {pages} pages",
            f"{mine / pages / 1024:.1f} KiB (q{pdf_work.JPEG_QUALITY})",
            f"{theirs / pages / 1024:.1f} KiB (q{COMPARE_QUALITY})",
            ratio_text(mine / theirs),
            f"≤ q{COMPARE_QUALITY}",
            "PASS" if mine <= theirs else "FAIL",
        )
    ]


def uncapped(path: Path, number: int, scale: float, pin: bool) -> tuple[float, int, int, int]:
    """Rasterize a page without the cap in a fresh process: seconds, peak RSS (KiB), width, height."""
    prefix = ["taskset", "-c", str(PRODUCT_CORE)] if pin else []
    command = [*prefix, sys.executable, "-c", UNCAPPED_RENDER, str(path), str(number), str(scale)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise BenchError(f"the uncapped render of page {number} failed ({done.returncode}): {done.stderr[-300:]}")
    secs, kib, width, height = done.stdout.split()
    return float(secs), int(kib), int(width), int(height)


class WorkerWatch:
    """The sandbox's live workers and the highest peak RSS (VmHWM) seen in any of them after a job."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.peak_kib = 0
        self.pids: set[int] = set()
        self.jobs = 0

    async def run(self, job: str, priority: int, **args: Any) -> dict[str, Any]:
        answer = await self.sandbox.run(job, priority, **args)
        self.jobs += 1
        for pid in self.sandbox.pids:
            self.pids.add(pid)
            self.peak_kib = max(self.peak_kib, vm_kib(pid, "VmHWM"))
        return answer


def new_sandbox() -> Sandbox:
    memory = int(SETTINGS["ECABINET_PDF_WORKER_MEMORY_BYTES"][0])
    timeout = float(SETTINGS["ECABINET_PDF_JOB_TIMEOUT_SECS"][0])
    return Sandbox(SandboxLimits(workers=1, memory_bytes=memory, job_timeout_secs=timeout))


async def briefing_work(sets: list[FileSet], per_file: int, tmp: Path) -> tuple[WorkerWatch, int, float, float]:
    """What a worker does for the sets' files: inspect, extract with thumbnails, render at three widths."""
    sandbox = new_sandbox()
    await sandbox.start()
    watch = WorkerWatch(sandbox)
    try:
        renders, render_secs, started = 0, 0.0, time.perf_counter()
        for fileset in sets:
            for f in fileset.files:
                path = str(f.path)
                await watch.run("inspect", PRIORITY_PROCESS, path=path, limits=LIMITS)
                for first in range(1, f.pages + 1, RUN_PAGES):
                    await watch.run(
                        "extract",
                        PRIORITY_PROCESS,
                        path=path,
                        first=first,
                        last=min(first + RUN_PAGES - 1, f.pages),
                        thumb_width=THUMBNAIL_WIDTH,
                        thumb_dir=str(tmp / "thumbs"),
                    )
                for number in range(1, min(f.pages, per_file) + 1):
                    for width in RENDER_WIDTHS:
                        out = str(tmp / "worker" / f"{number}-w{width}.jpg")
                        began = time.perf_counter()
                        await watch.run(
                            "render",
                            PRIORITY_VIEW,
                            path=path,
                            number=number,
                            width=width,
                            fmt="jpg",
                            out=out,
                            max_px=MAX_PX,
                        )
                        render_secs += time.perf_counter() - began
                        renders += 1
        return watch, renders, render_secs, time.perf_counter() - started
    finally:
        await sandbox.stop()


@dataclass
class HostileRuns:
    """Interleaved runs on one hostile page: the worker's render (capped) and the uncapped rasterization."""

    label: str
    number: int
    scale: float
    product_secs: list[float]
    product_kib: list[int]
    baseline_secs: list[float]
    baseline_kib: list[int]
    product_size: str = ""
    baseline_size: str = ""


async def hostile_work(hostile: Path, runs: int, pin: bool, tmp: Path) -> tuple[list[HostileRuns], bool, int]:
    """Render the hostile pages in a fresh worker, its peak reset before each, alternating with the baseline."""
    sandbox = new_sandbox()
    await sandbox.start()
    pages = [
        HostileRuns(f"{HOSTILE_POINTS}×{HOSTILE_POINTS} pt page", 1, 1.0, [], [], [], []),
        HostileRuns(
            f"{HOSTILE_STRIP_POINTS}×{HOSTILE_POINTS} pt strip", 2, TABLET_WIDTH / HOSTILE_STRIP_POINTS, [], [], [], []
        ),
    ]
    resettable = True
    try:
        info = await sandbox.run("inspect", PRIORITY_PROCESS, path=str(hostile), limits=LIMITS)
        print(f"  the hostile file passes inspect (its page sizes {info['sizes']} are within the limits)")
        own_kib = vm_kib(sandbox.pids[0], "VmRSS")
        for _ in range(runs):
            for page in pages:
                secs, kib, width, height = uncapped(hostile, page.number, page.scale, pin)
                page.baseline_secs.append(secs)
                page.baseline_kib.append(kib)
                page.baseline_size = f"{width}×{height} px"
                pid = sandbox.pids[0]
                resettable = reset_peak(pid) and resettable
                out = tmp / "worker" / f"hostile-{page.number}.jpg"
                began = time.perf_counter()
                await sandbox.run(
                    "render",
                    PRIORITY_VIEW,
                    path=str(hostile),
                    number=page.number,
                    width=TABLET_WIDTH,
                    fmt="jpg",
                    out=str(out),
                    max_px=MAX_PX,
                )
                page.product_secs.append(time.perf_counter() - began)
                page.product_kib.append(vm_kib(sandbox.pids[0], "VmHWM"))
                with Image.open(out) as image:
                    page.product_size = f"{image.size[0]}×{image.size[1]} px"
        return pages, resettable, own_kib
    finally:
        await sandbox.stop()


def mib(kib: float) -> str:
    return f"{kib / 1024:,.0f} MiB"


def part_memory(sets: list[FileSet], runs: int, per_file: int, pin: bool, hostile: Path, tmp: Path) -> list[Row]:
    print(
        "\n4. A PDF worker's peak RSS (VmHWM) in the real sandbox (one worker, default limits), "
        f"against the budget of {mib(WORKER_BUDGET_BYTES / 1024)}"
    )
    watch, renders, render_secs, total = asyncio.run(briefing_work(sets, per_file, tmp))
    print(
        f"  briefing work: {watch.jobs} jobs (inspect, extract with {THUMBNAIL_WIDTH}-px thumbnails in runs of "
        f"{RUN_PAGES} pages, {renders} renders at {'/'.join(map(str, RENDER_WIDTHS))} px) in {total:.1f} s, "
        f"{len(watch.pids)} worker process(es)"
    )
    print(
        f"  render jobs through the sandbox (open + render + JPEG + IPC): {renders / render_secs:,.0f} jobs/s; "
        f"peak RSS {mib(watch.peak_kib)}"
    )
    pages, resettable, own_kib = asyncio.run(hostile_work(hostile, runs, pin, tmp))
    print(f"  a started worker's own RSS (Python, PyMuPDF and what `import pymupdf` pulls in, Pillow): {mib(own_kib)}")
    if not resettable:
        print(
            "  note: /proc/<pid>/clear_refs was not writable: a hostile run's peak includes the worker's earlier ones"
        )
    print(f"  hostile pages at width {TABLET_WIDTH}, max_px {MAX_PX}: median (min–max) over {runs} runs")
    print(f"  {'page':<26} {'':<9} {'image':>14} {'time ms':>22} {'peak RSS MiB':>20}")
    rows = [
        Row(
            f"4 worker peak RSS, briefing work ({watch.jobs} jobs)",
            mib(watch.peak_kib),
            f"budget {mib(WORKER_BUDGET_BYTES / 1024)}",
            ratio_text(watch.peak_kib * 1024 / WORKER_BUDGET_BYTES),
            "≤ 1 GiB",
            "PASS" if watch.peak_kib * 1024 <= WORKER_BUDGET_BYTES else "FAIL",
        )
    ]
    for page in pages:
        baseline_name = "get_pixmap()" if page.scale == 1 else f"width {TABLET_WIDTH}"
        for name, size, secs, kib in (
            ("capped", page.product_size, page.product_secs, page.product_kib),
            ("uncapped", page.baseline_size, page.baseline_secs, page.baseline_kib),
        ):
            print(
                f"  {page.label:<26} {name:<9} {size:>14} {spread([s * 1000 for s in secs], 1):>22} "
                f"{spread([k / 1024 for k in kib]):>20}"
            )
        p_kib, b_kib = statistics.median(page.product_kib), statistics.median(page.baseline_kib)
        p_secs, b_secs = statistics.median(page.product_secs), statistics.median(page.baseline_secs)
        rows.append(
            Row(
                f"4 hostile {page.label}: peak RSS",
                f"{mib(p_kib)} ({page.product_size})",
                f"{mib(b_kib)} uncapped {baseline_name}",
                ratio_text(p_kib / b_kib),
                "≤ 1 GiB",
                "PASS" if p_kib * 1024 <= WORKER_BUDGET_BYTES else "FAIL",
            )
        )
        rows.append(
            Row(
                f"4 hostile {page.label}: time",
                f"{p_secs * 1000:,.0f} ms",
                f"{b_secs * 1000:,.0f} ms uncapped",
                ratio_text(p_secs / b_secs),
                "bounded",
                "info",
            )
        )
    return rows


# ---------------------------------------------------------------------------------------- end to end


class RoutesMissing(BenchError):
    """The server does not have the document routes (yet)."""


def cpu_secs(pid: int) -> float:
    """User + system CPU seconds of a live process (0 once it is gone)."""
    try:
        # Fields 14 and 15 of /proc/<pid>/stat (utime, stime), counted after the parenthesised command name.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if parent == pid:
                found.append(int(entry.name))
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(data_dir: Path, log: TextIO, cores: set[int]) -> Server:
    port = free_port()
    # A fresh embedded setup whatever the caller's environment says: SQLite in the temp dir, memory broker.
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECABINET_") and k != "DATABASE_URL"}
    env |= {"ECABINET_DATA_DIR": str(data_dir), "ECABINET_LOG_LEVEL": "warning"}
    command = [sys.executable, "-m", "ecabinet.cli", "serve", "--demo", "--host", "127.0.0.1", "--port", str(port)]
    if shutil.which("taskset"):
        # This process is pinned by now; the server (and the PDF workers it starts) gets every core we had.
        command = ["taskset", "-c", ",".join(map(str, sorted(cores))), *command]
    # The working directory is the data dir so that a stray .env in the caller's directory cannot apply.
    process = subprocess.Popen(command, cwd=data_dir, env=env, stdout=log, stderr=subprocess.STDOUT)
    return Server(process, f"http://127.0.0.1:{port}", Path(log.name), pinned=False)


def expect(answer: httpx.Response, status: int) -> Any:
    if answer.status_code != status:
        request = answer.request
        raise BenchError(f"{request.method} {request.url.path} answered {answer.status_code}: {answer.text[:300]}")
    return answer.json() if answer.content else None


async def sign_in(client: httpx.AsyncClient) -> tuple[str, int]:
    """Sign in as the secretary; return the CSRF token and the first item of the first meeting."""
    session = expect(await client.post("/api/session", json={"login": SECRETARY_LOGIN, "password": DEMO_PASSWORD}), 200)
    meetings = expect(await client.get("/api/meetings"), 200)
    if not meetings:
        raise BenchError(f"{SECRETARY_LOGIN} sees no meeting; was the sample loaded?")
    items = expect(await client.get(f"/api/meetings/{meetings[0]['id']}/items"), 200)
    if not items:
        raise BenchError(f"meeting {meetings[0]['id']} has no agenda item")
    print(f"  signed in as {SECRETARY_LOGIN}; uploading to item {items[0]['id']} of meeting {meetings[0]['id']}")
    return str(session["csrf_token"]), int(items[0]["id"])


@dataclass(frozen=True)
class Upload:
    """One upload's times: the POST itself, then from its answer until inspected, page 1 served and ready."""

    sent: float
    inspected: float
    first_page: float
    ready: float
    pages: int


async def upload(client: httpx.AsyncClient, csrf: str, item_id: int, path: Path) -> Upload:
    """Upload one file and follow it until page 1 is served and the document is ready."""
    began = time.perf_counter()
    answer = await client.post(
        f"/api/items/{item_id}/documents",
        files={"file": (path.name, path.read_bytes(), "application/pdf")},
        data={"classification": "internal"},
        headers={"X-CSRF-Token": csrf},
    )
    uploaded = time.perf_counter()
    if answer.status_code in (404, 405):
        raise RoutesMissing(f"POST /api/items/{item_id}/documents answered {answer.status_code}: {answer.text[:200]}")
    document_id = int(expect(answer, 202)[0]["id"])
    inspected: list[float] = []

    async def first_page() -> float:
        while True:
            page = await client.get(f"/api/documents/{document_id}/pages/1.jpg", params={"width": VIEW_WIDTH})
            if page.status_code == 200 and page.headers.get("content-type", "").startswith("image/jpeg"):
                return time.perf_counter() - uploaded
            if page.status_code != 409 or page.json().get("error") != "not_ready":
                raise BenchError(f"GET page 1 of document {document_id} answered {page.status_code}: {page.text[:300]}")
            await asyncio.sleep(FIRST_PAGE_POLL_SECS)

    async def ready() -> tuple[float, int]:
        while True:
            detail = expect(await client.get(f"/api/documents/{document_id}"), 200)
            if detail["pages"] is not None and not inspected:
                inspected.append(time.perf_counter() - uploaded)
            if detail["state"] == "ready":
                return time.perf_counter() - uploaded, int(detail["pages"])
            if detail["state"] == "rejected":
                raise BenchError(f"document {document_id} was rejected: {detail.get('reason_text')}")
            await asyncio.sleep(READY_POLL_SECS)

    async with asyncio.timeout(READY_TIMEOUT_SECS):
        first, (done, pages) = await asyncio.gather(first_page(), ready())
    return Upload(uploaded - began, inspected[0], first, done, pages)


def direct_first_page(path: Path, out: Path) -> None:
    pdf_work.inspect(str(path), LIMITS)
    pdf_work.render(str(path), 1, VIEW_WIDTH, "jpg", str(out), MAX_PX)


def direct_ready(path: Path, thumbs: Path) -> None:
    pages = pdf_work.inspect(str(path), LIMITS)["pages"]
    for first in range(1, pages + 1, RUN_PAGES):
        pdf_work.extract(str(path), first, min(first + RUN_PAGES - 1, pages), THUMBNAIL_WIDTH, str(thumbs))
        pymupdf.TOOLS.store_shrink(100)


async def upload_runs(server: Server, base: Path, one_page: Path, uploads: int, tmp: Path) -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {k: [] for k in ("upload", "first", "ready", "direct_first", "direct_ready")}
    limits = httpx.Limits(max_connections=4)
    async with httpx.AsyncClient(
        base_url=server.base_url, trust_env=False, timeout=REQUEST_TIMEOUT_SECS, limits=limits
    ) as client:
        csrf, item_id = await sign_in(client)
        # The server starts its PDF workers on the first upload; a one-page file pays for that, untimed.
        cold = await upload(client, csrf, item_id, one_page)
        figures["cold_first"] = [cold.first_page]
        print(
            f"  warm-up: a one-page file, inspected after ≤ {cold.inspected:.2f} s, "
            f"page 1 after {cold.first_page:.2f} s, ready after {cold.ready:.2f} s (the workers start)"
        )
        for index in range(1, uploads + 1):
            path = tmp / f"tai-lieu-hop-{index}.pdf"
            edition(base, path, index)
            thumbs = tmp / f"direct-{index}"
            figures["direct_first"].append(timed(lambda p=path, t=thumbs: direct_first_page(p, t / "page-1.jpg")))
            figures["direct_ready"].append(timed(lambda p=path, t=thumbs: direct_ready(p, t)))
            server_pid = server.process.pid
            workers = {pid: cpu_secs(pid) for pid in children_of(server_pid)}
            server_cpu = cpu_secs(server_pid)
            done = await upload(client, csrf, item_id, path)
            server_cpu = cpu_secs(server_pid) - server_cpu
            workers_cpu = sum(cpu_secs(pid) - workers.get(pid, 0.0) for pid in children_of(server_pid))
            figures["upload"].append(done.sent)
            figures["first"].append(done.first_page)
            figures["ready"].append(done.ready)
            print(
                f"  run {index}  B: direct page 1 {figures['direct_first'][-1]:.2f} s, direct all pages "
                f"{figures['direct_ready'][-1]:.2f} s"
            )
            print(
                f"         P: {path.stat().st_size / 1e6:.1f} MB uploaded in {done.sent:.2f} s; inspected after "
                f"≤ {done.inspected:.2f} s, page 1 after {done.first_page:.2f} s, {done.pages} pages ready after "
                f"{done.ready:.2f} s; CPU until ready: server {server_cpu:.1f} s, PDF workers {workers_cpu:.1f} s"
            )
    return figures


def part_upload(base: Path, one_page: Path, uploads: int, cores: set[int], pin: bool, tmp: Path) -> list[Row]:
    print(
        f"\n5. An upload end to end through the server: {UPLOAD_PACK_PAGES}-page pack, page 1 at width {VIEW_WIDTH} "
        "and the document ready"
    )
    print(
        "  server not pinned (its PDF workers use every core); this client pinned to core 1"
        if pin
        else "  not pinned: client and server share the CPUs"
    )
    data_dir = tmp / "server"
    data_dir.mkdir()
    with open(tmp / "server.log", "w") as log:
        server = start_server(data_dir, log, cores)
        try:
            wait_until_healthy(server)
            figures = asyncio.run(upload_runs(server, base, one_page, uploads, tmp))
        except BenchError as exc:
            if not isinstance(exc, RoutesMissing):
                print(f"  server log (last lines):\n{server.log_tail()}")
            raise
        finally:
            server.stop()
    print(f"  median (min–max) over {uploads} uploads, seconds")
    print(f"  {'':<30} {'product (server)':>20} {'baseline (direct)':>20}")
    print(f"  {'upload request':<30} {spread(figures['upload'], 2):>20}")
    rows = []
    for key, label, target in (
        ("first", f"5a upload → page 1 JPEG ({UPLOAD_PACK_PAGES} p)", TARGET_FIRST_PAGE_SECS),
        ("ready", f"5b upload → ready ({UPLOAD_PACK_PAGES} p)", TARGET_READY_SECS),
    ):
        product, baseline = figures[key], figures[f"direct_{key}"]
        print(f"  {label:<30} {spread(product, 2):>20} {spread(baseline, 2):>20}")
        p, b = statistics.median(product), statistics.median(baseline)
        rows.append(
            Row(
                label,
                f"{p:.2f} s",
                f"{b:.2f} s direct",
                ratio_text(p / b),
                f"≤ {target:.0f} s",
                "PASS" if p <= target else "FAIL",
            )
        )
    cold = figures["cold_first"][0]
    rows.append(Row("5 cold server: 1-page upload → page 1", f"{cold:.2f} s", "—", "—", "(≤ 1 s)", "info"))
    return rows


# ------------------------------------------------------------------------------------------------ main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5, help="interleaved runs of baseline and product (default 5)")
    parser.add_argument("--uploads", type=int, default=3, help="timed uploads in part 5 (default 3)")
    parser.add_argument("--render-pages", type=int, default=30, help="pages rendered per file (default 30)")
    parser.add_argument("--parts", default="1,2,3,4,5", help="which figures to measure (default 1,2,3,4,5)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help=f"corpus dir (default {DEFAULT_CORPUS})")
    args = parser.parse_args()
    try:
        parts = {int(part) for part in args.parts.split(",")}
    except ValueError:
        parser.error("--parts: numbers from 1 to 5, comma-separated")
    if args.runs < 1 or args.uploads < 1 or args.render_pages < 1 or not parts <= {1, 2, 3, 4, 5}:
        parser.error("--runs, --uploads and --render-pages ≥ 1; --parts from 1 to 5")
    for needed in ("pdftotext", "pdftoppm"):
        if shutil.which(needed) is None and parts & {1, 2}:
            print(f"benchmark failed: {needed} (poppler-utils) is not installed", file=sys.stderr)
            return 1

    cores = os.sched_getaffinity(0)
    pin = can_pin()
    print(
        f"eCabinet briefing-pack PDF benchmark: parts {','.join(map(str, sorted(parts)))}, "
        f"{args.runs} interleaved runs, "
        f"{args.uploads} uploads; PyMuPDF {pymupdf.__version__}"
    )
    print(
        f"product and poppler pinned to core {PRODUCT_CORE}"
        if pin
        else "not pinned (needs taskset and ≥ 2 cores): product and baseline share the CPUs"
    )
    rows: list[Row] = []
    status = 0
    with tempfile.TemporaryDirectory(prefix="ecabinet-packs-") as name:
        tmp = Path(name)
        started = time.perf_counter()
        upload_pack, pack = tmp / f"pack-{UPLOAD_PACK_PAGES}.pdf", tmp / f"pack-{PACK_PAGES}.pdf"
        if 5 in parts:
            write_pack(upload_pack, UPLOAD_PACK_PAGES)
            first_pages(upload_pack, pack, PACK_PAGES)
        else:
            write_pack(pack, PACK_PAGES)
        one_page, hostile = tmp / "one-page.pdf", tmp / "hostile.pdf"
        first_pages(pack, one_page, 1)
        write_hostile(hostile)
        print(
            f"generated in {time.perf_counter() - started:.1f} s: the {PACK_PAGES}-page pack "
            f"({pack.stat().st_size / 1e6:.2f} MB), a one-page file, the hostile file ({hostile.stat().st_size} bytes)"
        )
        sets = [FileSet(f"Vietnamese pack ({PACK_PAGES} p)", (PackFile(pack, PACK_PAGES),))]
        if args.corpus.is_dir():
            sets += corpus_sets(args.corpus)
        else:
            print(f"  no corpus at {args.corpus}: the generated pack only")
        if pin:
            os.sched_setaffinity(0, {PRODUCT_CORE})
        try:
            if 1 in parts:
                rows += part_text(sets, args.runs, pin, one_page)
            if 2 in parts:
                rows += part_render(sets, args.runs, args.render_pages, pin, one_page, tmp)
            if 3 in parts:
                rows += part_bytes(sets, args.render_pages, tmp)
            if 4 in parts:
                rows += part_memory(sets, args.runs, args.render_pages, pin, hostile, tmp)
        except BenchError as exc:
            print(f"benchmark failed: {exc}", file=sys.stderr)
            return 1
        if 5 in parts:
            if pin:
                os.sched_setaffinity(0, {CLIENT_CORE})
            try:
                rows += part_upload(upload_pack, one_page, args.uploads, cores, pin, tmp)
            except BenchError as exc:
                why = "the server's document routes are not there yet" if isinstance(exc, RoutesMissing) else "failed"
                print(f"  part 5 skipped ({why}): {exc}")
                rows += [
                    Row(f"5{k} upload → {what}", "—", "—", "—", target, "SKIPPED")
                    for k, what, target in (("a", "page 1 JPEG", "≤ 1 s"), ("b", "ready", "≤ 10 s"))
                ]
                status = 2
        print(f"\nmeasured in {time.perf_counter() - started:.0f} s")
    summary(rows)
    if status:
        print("\nnote: part 5 did not run (see above); the exit status is 2")
    return status


if __name__ == "__main__":
    sys.exit(main())
