"""``talentport profiles import FILE --source NAME`` (contract §9).

Prints one JSON report ``{"created": N, "updated": N, "unchanged": N, "refused": [...]}``
on stdout and exits 0, refusals or not; a file that cannot be read at all (not UTF-8,
truncated, not a workbook), a missing ``--source`` or bad arguments: exit 2 with the
reason on stderr, nothing stored. On a terminal, progress goes to stderr.
"""

from __future__ import annotations

import sys

from talentport.archives.cli import _Parser, import_args, print_report


def _progress(done: int, total: int) -> None:
    width = 30
    filled = width * done // total if total else width
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def import_main(argv: list[str]) -> int:
    parser = _Parser(
        prog="talentport profiles import", description="导入人才信息库（JSONL 或 .xlsx 模板）"
    )
    parser.add_argument("file", help="JSONL 文件，或按平台模板填写的 .xlsx")
    parser.add_argument("--source", required=True, help="来源名称，如 校友会、招聘会")
    parsed = import_args(parser, argv, name="source", missing="错误：请用 --source 指定来源名称")
    if isinstance(parsed, int):
        return parsed
    path, source = parsed

    from talentport.people.talent_import import ImportFileError, talent_profiles_import

    try:
        report = talent_profiles_import(
            path,
            source=source,
            filename=path.name,
            progress=_progress if sys.stderr.isatty() else None,
        )
    except ImportFileError as exc:
        print("错误：" + exc.message, file=sys.stderr)
        return 2
    print_report(report.as_dict())
    return 0
