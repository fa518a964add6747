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


def import_main(argv: list[str]) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) if isinstance(exc.code, int) else 2
    school = (args.school or "").strip()
    if not school:
        print("错误：请用 --school 指定学校名称", file=sys.stderr)
        return 2
    path = Path(args.file)
    if not path.is_file():
        print(f"错误：找不到文件 {path}", file=sys.stderr)
        return 2

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
    encoding = (getattr(sys.stdout, "encoding", "") or "").lower().replace("-", "")
    print(json.dumps(report.as_dict(), ensure_ascii=encoding != "utf8"))
    return 0
