"""``atlas``: the same demos, validation and benchmarks as the web app, from a terminal."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

BENCHMARKS = {
    "attention": "benchmarks.attention_variants",
    "record": "benchmarks.record_answer",
    "model": "benchmarks.model_forward",
    "lab": "benchmarks.lab",
    "demos": "benchmarks.demos",
    "gc": "benchmarks.gc_pauses",
    "priority": "benchmarks.background_priority",
    "class": "benchmarks.class_load",  # N browser tabs: only when named, never part of "all"
}


def cmd_validate(args: argparse.Namespace) -> int:
    from quiz.bank import BankError, load_bank

    try:
        bank = load_bank(Path(args.directory), strict=True)
    except BankError as e:
        for issue in e.issues:
            print(issue, file=sys.stderr)
        files = len({i.file for i in e.issues})
        print(f"{len(e.issues)} errors in {files} files", file=sys.stderr)
        return 1
    print(f"{len(bank.questions)} questions, 0 errors")
    return 0


def _parse_params(pairs: list[str]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        if "=" not in pair:
            from engine.sanitize import preview

            raise SystemExit(f"atlas demo: --param takes key=value, got {preview(pair)}")
        key, value = pair.split("=", 1)
        params[key.strip()] = value
    return params


def cmd_demo(args: argparse.Namespace) -> int:
    from engine.registry import ParamError, UnknownDemo, all_demos, run_demo

    if args.list or not args.name:
        for d in all_demos().values():
            print(f"{d.name}  —  {d.title['en']} / {d.title['zh']}")
            for p in d.params:
                print(f"    {p.name} = {p.default!r}  ({p.allowed()})")
        return 0
    try:
        result = run_demo(args.name, _parse_params(args.param), args.device)
    except (ParamError, UnknownDemo, ValueError) as e:
        print(f"atlas demo: {e}", file=sys.stderr)
        return 2
    facts = {k: v for k, v in result.facts.items() if isinstance(v, (int, float, str, bool))}
    print(
        json.dumps(
            {"demo": args.name, "weights_shape": list(result.weights.shape), **facts},
            ensure_ascii=False,
        )
    )
    if args.png:
        from visuals import render_png

        Path(args.png).write_bytes(render_png(result, args.lang))
        print(f"wrote {args.png}")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    names = [args.which] if args.which != "all" else [n for n in BENCHMARKS if n != "class"]
    for name in names:
        module = importlib.import_module(BENCHMARKS[name])
        kwargs = {"device": args.device} if name in ("attention", "model", "lab", "demos") else {}
        if name in ("attention", "demos"):
            kwargs["quick"] = args.quick
        if name == "demos" and args.demo:
            kwargs["names"] = args.demo
        if name == "class" and args.minutes:
            n = int(args.learners.split(",")[0])
            out = module.soak(learners=n, minutes=args.minutes, steps=args.steps)
            print(json.dumps({"benchmark": "class-soak", "result": out}, ensure_ascii=False))
            continue
        if name == "class":
            kwargs = {"learners": args.learners, "steps": args.steps}
            kwargs |= {"think": args.think, "walk": args.walk}
        out = module.run(**kwargs)
        if hasattr(module, "table"):
            print(module.table(out))
        print(json.dumps({"benchmark": name, "result": out}, ensure_ascii=False, default=str))
    return 0


def cmd_toys(args: argparse.Namespace) -> int:
    import time

    from engine import toys

    known = toys.variants()
    names = args.names or list(known)
    unknown = [n for n in names if n not in known]
    if unknown:
        print(
            f"atlas toys: unknown toy {', '.join(unknown)}; known: {', '.join(known)}",
            file=sys.stderr,
        )
        return 2
    if args.action == "train":
        for name in names:
            start = time.perf_counter()
            m = toys.train_and_save(name)
            metrics = ", ".join(f"{k}={v:.4g}" for k, v in m.metrics.items())
            print(f"{name}: trained in {time.perf_counter() - start:.1f} s; {metrics}")
        return 0
    bad = 0
    for name in names:
        try:
            m = toys.check(name)
        except toys.ToyWeightsError as e:
            print(f"atlas toys: {e}", file=sys.stderr)
            bad += 1
            continue
        print(f"{name}: ok (sha256 {m.sha256[:12]}…, torch {m.torch_version})")
    if bad:
        print(f"{bad} of {len(names)} toy weight files failed the check", file=sys.stderr)
    return 1 if bad else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="atlas", description="Attention Atlas from the command line."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", help="check a directory of question files")
    v.add_argument("directory", nargs="?", default="questions")
    v.set_defaults(fn=cmd_validate)
    d = sub.add_parser("demo", help="run a demo headless and write its figure")
    d.add_argument("name", nargs="?")
    d.add_argument("--list", action="store_true", help="list demos and their parameters")
    d.add_argument("--param", action="append", default=[], metavar="KEY=VALUE")
    d.add_argument("--device", default="cpu")
    d.add_argument("--png", metavar="FILE")
    d.add_argument("--lang", choices=("zh", "en"), default="en")
    d.set_defaults(fn=cmd_demo)
    b = sub.add_parser("bench", help="speed and memory benchmarks (medians and ratios)")
    b.add_argument("which", nargs="?", default="all", choices=["all", *BENCHMARKS])
    b.add_argument("--device", default="cpu")
    b.add_argument("--quick", action="store_true")
    b.add_argument("--demo", action="append", metavar="NAME", help="bench demos: only these demos")
    b.add_argument(
        "--learners", default="10,30", metavar="N,M", help="bench class: class sizes (tabs)"
    )
    b.add_argument("--steps", type=int, default=5, metavar="K", help="bench class: slider moves")
    b.add_argument(
        "--think", type=float, default=0, metavar="S",
        help="bench class: seconds each learner looks at the full figure before each slider move",
    )  # fmt: skip
    b.add_argument(
        "--walk", action="store_true",
        help="bench class: every slider move goes on to a new value (not one step and back)",
    )  # fmt: skip
    b.add_argument(
        "--minutes", type=float, default=0, metavar="M",
        help="bench class: instead, one class (the first --learners) for M minutes: memory over time",
    )  # fmt: skip
    b.set_defaults(fn=cmd_bench)
    t = sub.add_parser("toys", help="train the shipped toy models or check their weight files")
    t.add_argument("action", choices=("train", "check"))
    t.add_argument("names", nargs="*", metavar="NAME", help="toy weight names (default: all)")
    t.set_defaults(fn=cmd_toys)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":
    raise SystemExit(main())
