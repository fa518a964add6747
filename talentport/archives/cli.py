"""``talentport archives import FILE.xlsx --school NAME`` (contract §8).

Prints one JSON report ``{"accepted": N, "refused": [{"row": R, "errors": [...]}]}``;
exits 2 with the reason on stderr when nothing can be imported (unreadable file,
missing required columns, missing ``--school``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print("参数错误：" + message, file=sys.stderr)
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="talentport archives import",
        description="导入学校人事档案交接名单（.xlsx）",
        add_help=True,
    )
    parser.add_argument("file", help="交接名单 Excel 文件（.xlsx）")
    parser.add_argument("--school", required=True, help="移交学校名称")
    return parser


def import_args(
    parser: argparse.ArgumentParser, argv: list[str], *, name: str, missing: str
) -> tuple[Path, str] | int:
    """The file and the ``--NAME`` value of an import command, or its exit status (2)
    after saying on stderr what is wrong (shared with ``talentport profiles import``)."""
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) if isinstance(exc.code, int) else 2
    value = (getattr(args, name) or "").strip()
    if not value:
        print(missing, file=sys.stderr)
        return 2
    path = Path(args.file)
    if not path.is_file():
        print(f"错误：找不到文件 {path}", file=sys.stderr)
        return 2
    return path, value


def print_report(report: dict[str, object]) -> None:
    """One JSON document on stdout (non-ASCII as is when stdout is UTF-8)."""
    encoding = (getattr(sys.stdout, "encoding", "") or "").lower().replace("-", "")
    print(json.dumps(report, ensure_ascii=encoding != "utf8"))


def import_main(argv: list[str]) -> int:
    parsed = import_args(_parser(), argv, name="school", missing="错误：请用 --school 指定学校名称")
    if isinstance(parsed, int):
        return parsed
    path, school = parsed

    from talentport.archives.errors import ArchiveError, ImportFileError
    from talentport.archives.models import ImportSource
    from talentport.archives.services import archive_batch_import

    try:
        report = archive_batch_import(
            source=path, school=school, filename=path.name, via=ImportSource.CLI
        )
    except ImportFileError as exc:
        print("错误：" + exc.message + "，未导入任何记录", file=sys.stderr)
        return 2
    except ArchiveError as exc:
        print("错误：" + exc.message, file=sys.stderr)
        return 2
    print_report(report.as_dict())
    return 0
