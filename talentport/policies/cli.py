"""``talentport eligibility`` and ``talentport match`` (contract §2, §3). No Django here."""

from __future__ import annotations

import argparse
import sys
from datetime import date

import orjson

from talentport.policies.engine import (
    MatchError,
    PolicyError,
    evaluate,
    match_file,
    validate_profile,
)
from talentport.policies.engine.schema import parse_date


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"参数错误: {message}", file=sys.stderr)
        raise SystemExit(2)


def _as_of(value: str | None) -> date | None:
    if value is None:
        return None
    d = parse_date(value)
    if d is None:
        raise ValueError(f"--as-of: 不是有效日期 {value!r}（应为 YYYY-MM-DD）")
    return d


def eligibility_main(argv: list[str]) -> int:
    parser = _Parser(prog="talentport eligibility", description="一人可享受的政策")
    parser.add_argument("profile", help="画像 JSON 文件，- 表示标准输入")
    parser.add_argument("--as-of", dest="as_of")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        as_of = _as_of(args.as_of)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        raw = sys.stdin.buffer.read() if args.profile == "-" else open(args.profile, "rb").read()
    except OSError as exc:
        print(f"{args.profile}: 无法读取（{exc.strerror}）", file=sys.stderr)
        return 2
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        print(f"profile: 不是有效的 JSON（{exc}）", file=sys.stderr)
        return 2
    errors = validate_profile(data)
    if errors:
        for e in errors:
            print(f"{e.field}: {e.message}", file=sys.stderr)
        return 2
    try:
        doc = evaluate(data, as_of=as_of, validate=False)
    except PolicyError as exc:
        print(f"政策文件有误: {exc}", file=sys.stderr)
        return 1
    sys.stdout.buffer.write(orjson.dumps(doc) + b"\n")
    sys.stdout.flush()
    return 0


def match_main(argv: list[str]) -> int:
    parser = _Parser(prog="talentport match", description="批量政策匹配（政策找人）")
    parser.add_argument("profiles", help="JSONL，每行一个带 id 的画像；- 表示标准输入")
    parser.add_argument("--out", required=True)
    parser.add_argument("--as-of", dest="as_of")
    parser.add_argument("--policies", help="只评估这些政策（逗号分隔）")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        as_of = _as_of(args.as_of)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    ids = [i.strip() for i in args.policies.split(",") if i.strip()] if args.policies else None
    if ids is not None and not ids:
        print("--policies: 至少给出一个政策编号", file=sys.stderr)
        return 2
    source: str | bytes = sys.stdin.buffer.read() if args.profiles == "-" else args.profiles
    if isinstance(source, str):
        try:
            open(source, "rb").close()
        except OSError as exc:
            print(f"{source}: 无法读取（{exc.strerror}）", file=sys.stderr)
            return 2
    try:
        match_file(source, args.out, as_of=as_of, policy_ids=ids)
    except MatchError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    except PolicyError as exc:
        print(f"政策文件有误: {exc}", file=sys.stderr)
        return 1
    return 0
