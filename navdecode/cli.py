"""Command line: ``navdecode evaluate | decode | train | ...`` (``navdecode --help`` lists them)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import fields
from pathlib import Path

__all__ = ["main"]


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from navdecode.agents.checkpoints import load_agent
    from navdecode.agents.networks import make_agent
    from navdecode.pretrained.bundle import load_pretrained
    from navdecode.recording.rollout import fixed_targets, run_agent
    from navdecode.recording.store import check_destination, save_dataset

    if args.pretrained:
        arch, _, seed = args.pretrained.partition(":")
        if not seed.isdigit():
            msg = f"--pretrained must be ARCH:SEED (e.g. modular:0), got {args.pretrained!r}"
            raise ValueError(msg)
        agent, label = load_pretrained(arch, int(seed)), f"bundled {arch} seed {seed}"
    elif args.checkpoint:
        agent, label = load_agent(args.checkpoint, arch=args.arch), Path(args.checkpoint).name
    else:
        agent = make_agent(args.arch, seed=args.init_seed)
        label = f"UNTRAINED {args.arch} (random initial weights, seed {args.init_seed})"
    check_destination(args.out, overwrite=args.force)  # before the work, not after
    targets = fixed_targets(args.n_trials, seed=args.target_seed)
    ds = run_agent(agent, targets, gain=args.gain, seed=args.seed, noise=not args.no_noise,
                   device=args.device, progress=True)
    save_dataset(ds, args.out, overwrite=args.force)
    frac = float(ds.rewarded.mean())
    print(f"{label}: {ds.sizes['trial']} trials at gain {args.gain:g}x, "
          f"reward fraction {frac:.3f}, written to {args.out}")
    return 0


def _add_evaluate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evaluate", help="run an agent on fixed targets and record a dataset",
                       description="Evaluate an agent on the same fixed targets and record "
                                   "every trial (state, actions, LSTM units) to netCDF / zarr.")
    p.add_argument("--arch", default=None,
                   help="architecture (holistic, modular, Actor1Critic1 ...); read from the "
                        "checkpoint when omitted")
    p.add_argument("--pretrained", default=None, metavar="ARCH:SEED",
                   help="a bundled agent, e.g. modular:0 (navdecode.list_pretrained())")
    p.add_argument("--checkpoint", default=None, help="checkpoint file (navdecode or published)")
    p.add_argument("--untrained", action="store_true",
                   help="evaluate fresh random weights of --arch (a control; says so)")
    p.add_argument("--init-seed", type=int, default=0,
                   help="seed of the fresh weights with --untrained")
    p.add_argument("--gain", type=float, default=1.0, help="joystick gain factor (default 1)")
    p.add_argument("--n-trials", type=int, default=1000, help="number of targets (default 1000)")
    p.add_argument("--target-seed", type=int, default=0, help="seed of the fixed targets")
    p.add_argument("--seed", type=int, default=0, help="seed of the task noise")
    p.add_argument("--no-noise", action="store_true", help="switch process/observation noise off")
    p.add_argument("--device", default="cpu", help="torch device (default cpu)")
    p.add_argument("--out", required=True, help="output file, .nc or .zarr")
    p.add_argument("--force", action="store_true", help="replace an existing --out recording")
    p.set_defaults(func=_cmd_evaluate, needs_arch=True)


def _cmd_train(args: argparse.Namespace) -> int:
    from navdecode.training.config import TrainConfig
    from navdecode.training.loop import train

    values = {f.name: getattr(args, f.name) for f in fields(TrainConfig)
              if getattr(args, f.name) is not None}
    if "validation_gains" in values:
        values["validation_gains"] = tuple(values["validation_gains"])
    from navdecode.training.runs import RunFolder, started_from_cli

    out = Path(args.out)
    if args.population or args.archs or args.seeds or args.stacked is not None:
        return _train_population(args, values, out)
    try:
        config = TrainConfig.published(**values) if args.published else TrainConfig(**values)
        run = train(config, out, resume=args.resume, progress=not args.quiet)
    except KeyboardInterrupt:
        again = [a for a in (sys.argv[1:] if started_from_cli() else ["train", "..."])
                 if a != "--resume"]
        folder = RunFolder(out)
        saved = "its training state, saved at the interruption" if folder.has_state() else \
            "nothing (it was stopped before its first collection ended)"
        print(f"\ninterrupted: {out} keeps {saved}. Continue with:\n"
              f"  navdecode {' '.join(again)} --resume", file=sys.stderr)
        return 130
    phase1 = (f"phase I took {run.phase1_trials} trials" if run.phase1_trials is not None
              else f"phase I did not end within {run.config.max_phase1_trials} trials "
                   "(max_phase1_trials): the run gave up")
    print(f"{run.config.arch} seed {run.config.seed}: {phase1}, "
          f"wall-clock {run.wall_time_s:.0f} s; curve in {run.out_dir / 'curve.csv'}")
    return 0


def _train_population(args: argparse.Namespace, values: dict, out: Path) -> int:
    """``train --population``: every (arch, seed) of --archs x --seeds in one process."""
    from navdecode.training.config import TrainConfig
    from navdecode.training.population import member_folders, train_population

    if not args.population:
        msg = "--archs, --seeds and --stacked train a population: add --population"
        raise ValueError(msg)
    archs = args.archs or [values.pop("arch", TrainConfig.arch)]
    seeds = args.seeds or [values.pop("seed", TrainConfig.seed)]
    values.pop("arch", None)
    values.pop("seed", None)
    make = TrainConfig.published if args.published else TrainConfig
    configs = [make(**values, arch=a, seed=int(s)) for a in archs for s in seeds]
    try:
        runs = train_population(configs, out, resume=args.resume, progress=not args.quiet,
                                stacked=args.stacked)
    except KeyboardInterrupt:
        print(f"\ninterrupted: every member in {out} keeps its training state. Continue "
              "with the same command and --resume", file=sys.stderr)
        return 130
    for run, folder in zip(runs, member_folders(out, configs), strict=True):
        phase1 = (f"phase I took {run.phase1_trials} trials" if run.phase1_trials is not None
                  else "phase I did not end (max_phase1_trials)")
        print(f"{folder.name}: {phase1}, curve in {folder / 'curve.csv'}")
    return 0


def _add_train(sub: argparse._SubParsersAction) -> None:
    from navdecode.training.config import TrainConfig

    p = sub.add_parser("train", help="train an agent with recurrent TD3 (resumable)",
                       description="Train an agent with the published recurrent TD3. Every "
                                   "TrainConfig field is an option; defaults are the "
                                   "published values unless the option says otherwise.")
    p.add_argument("--out", required=True, help="run folder (curve.csv, checkpoints/, state.pt)")
    p.add_argument("--resume", action="store_true", help="continue the run in --out")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--published", action="store_true",
                   help="start from TrainConfig.published() (every rule as the published "
                        "code has it); the other options override it")
    p.add_argument("--population", action="store_true",
                   help="train every (arch, seed) of --archs x --seeds in this one process, "
                        "each into --out/<arch>-seed<seed> (a run folder like train's)")
    p.add_argument("--decode", nargs="+", default=[], metavar="VAR",
                   help="variables to decode from the units beside the position, recorded "
                        "per step or per trial (e.g. a task's ground truth), with the same "
                        "grouped CV, controls and statistics")
    p.add_argument("--archs", nargs="+", default=None, metavar="ARCH",
                   help="--population: the architectures (default: --arch)")
    p.add_argument("--seeds", nargs="+", type=int, default=None, metavar="SEED",
                   help="--population: the seeds (default: --seed)")
    p.add_argument("--stacked", type=_yes_no, default=None, metavar="{yes,no}",
                   help="--population: train members of one architecture on stacked "
                        "networks in lockstep (default: yes on CUDA, no on a CPU)")
    docs = _field_docs(TrainConfig)
    for f in fields(TrainConfig):
        flag = "--" + f.name.replace("_", "-")
        kind = type(f.default)
        if kind is tuple:
            p.add_argument(flag, type=float, nargs="+", default=None,
                           help=f"{docs.get(f.name, '')} (default {f.default})")
        elif kind is bool:
            p.add_argument(flag, type=_yes_no, default=None, metavar="{yes,no}",
                           help=f"{docs.get(f.name, '')} (default {f.default})")
        else:
            p.add_argument(flag, type=kind, default=None,
                           help=f"{docs.get(f.name, '')} (default {f.default})")
    p.set_defaults(func=_cmd_train)


def _yes_no(text: str) -> bool:
    """An on/off option's value: yes/true/1 or no/false/0."""
    value = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}.get(
        text.lower())
    if value is None:
        msg = f"expected yes or no, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _field_docs(cls: type) -> dict[str, str]:
    """The one-line docstring under each dataclass field, read from the source."""
    import ast
    import inspect
    import itertools

    tree = ast.parse(inspect.getsource(cls))
    body = tree.body[0].body  # type: ignore[attr-defined]
    docs = {}
    for node, nxt in itertools.pairwise(body):
        if isinstance(node, ast.AnnAssign) and isinstance(nxt, ast.Expr) and isinstance(
                getattr(nxt, "value", None), ast.Constant):
            docs[node.target.id] = str(nxt.value.value).strip()  # type: ignore[union-attr]
    return docs


def _cmd_decode(args: argparse.Namespace) -> int:
    import pandas as pd

    from navdecode._io import atomic_write_text
    from navdecode.analysis.decoding import decode
    from navdecode.recording.store import load_dataset

    outputs = ("folds.csv", "error_by_step.csv", "summary.json")
    if args.out:
        out = Path(args.out)
        if out.exists() and not out.is_dir():
            msg = f"--out {str(out)!r} is a file; it must be a folder"
            raise ValueError(msg)
        earlier = [name for name in outputs if (out / name).exists()]
        if earlier and not args.force:
            msg = (f"--out {str(out)!r} already holds {', '.join(earlier)} of an earlier "
                   "decode; pass --force to replace them")
            raise ValueError(msg)
    ds = load_dataset(args.recording)
    test_ds = load_dataset(args.test_on) if args.test_on else None
    result = decode(ds, tuple(args.targets), features=args.features, protocol=args.protocol,
                    n_splits=args.n_splits, control=args.control, shuffle=args.shuffle,
                    test_ds=test_ds, seed=args.seed)
    r2 = ", ".join(f"{name} {value:.3f}" for name, value in result.r2.items())
    errors = ", ".join(f"{name} {value:.2f} {result.errors[name].attrs.get('units', '')}".strip()
                       for name, value in result.mean_errors.items())
    control = f" (control: {result.control})" if result.control else ""
    print(f"{Path(args.recording).name}: {' + '.join(args.targets)} from {args.features}, "
          f"protocol {result.protocol}{control}: mean error {errors}, R2 {r2}")
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        atomic_write_text(out / "folds.csv", result.scores.to_csv(index=False))
        by_step = pd.concat([result.error_by_step(name).assign(error=name)
                             for name in result.errors], ignore_index=True)
        atomic_write_text(out / "error_by_step.csv", by_step.to_csv(index=False))
        summary = {"recording": str(args.recording), "test_on": args.test_on,
                   "targets": list(args.targets), "features": args.features,
                   "protocol": result.protocol, "control": result.control,
                   "mean_error": result.mean_errors.to_dict(),
                   "error_units": {name: err.attrs.get("units", "")
                                   for name, err in result.errors.items()},
                   "r2": result.r2.to_dict()}
        atomic_write_text(out / "summary.json", json.dumps(summary, indent=2))
        print(f"folds, error by step and summary written to {out}")
    return 0


def _add_decode(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("decode", help="decode recorded variables from a recording's LSTM units",
                       description="Cross-validated decoding (trial-grouped folds, standardised "
                                   "ridge with its penalty chosen by inner CV) of per-step "
                                   "variables from a recording written by `navdecode "
                                   "evaluate`. Prints the mean error and R2; --out writes "
                                   "the per-fold scores, the error by time step and a summary.")
    p.add_argument("recording", help="recording (.nc or .zarr) from navdecode evaluate")
    p.add_argument("--targets", nargs="+", default=["pos_x", "pos_y"],
                   help="per-step variables to decode (default pos_x pos_y)")
    p.add_argument("--features", default="hidden",
                   help="(trial, step, unit) variable to decode from (default hidden)")
    p.add_argument("--protocol", default="grouped", choices=["grouped", "tutorial", "paper"],
                   help="grouped CV (default), the tutorial's Ridge(0.1) 70/30 split or the "
                        "paper's RidgeCV(0.1, 1, 10) 70/30 split")
    p.add_argument("--control", default=None, choices=["shuffle", "time", "untrained"],
                   help="decode a control the same way: trial shuffle (keeps time-in-trial), "
                        "step index alone, or the untrained network fed the same inputs")
    p.add_argument("--n-splits", type=int, default=5, help="folds of the grouped CV (default 5)")
    p.add_argument("--shuffle", action="store_true",
                   help="same as --control shuffle: permute trials' targets (this keeps "
                        "time-in-trial, so it is not chance level)")
    p.add_argument("--test-on", default=None,
                   help="cross-condition: fit on RECORDING, score on this recording")
    p.add_argument("--seed", type=int, default=0, help="seed of the shuffle")
    p.add_argument("--out", default=None, help="folder for folds.csv, error_by_step.csv, "
                                               "summary.json")
    p.add_argument("--force", action="store_true",
                   help="replace the files of an earlier decode in --out")
    p.set_defaults(func=_cmd_decode)


def _cmd_sweep(args: argparse.Namespace) -> int:
    from navdecode.training.sweeps import sweep

    seeds: list[int] = []
    for part in args.seeds:
        lo, _, hi = part.partition("-")
        seeds.extend(range(int(lo), int(hi or lo) + 1))
    extra = {"n_trials_after_phase1": args.n_trials_after_phase1} \
        if args.n_trials_after_phase1 else {}
    table = sweep(args.archs, seeds, args.out, scheduler=args.scheduler,
                  n_workers=args.workers, **extra)
    print(table.to_string(index=False))
    return 1 if (table["status"] == "failed").any() else 0


def _add_sweep(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sweep", help="train archs x seeds on dask.distributed",
                       description="One training run per (arch, seed) on a dask LocalCluster "
                                   "(or --scheduler). Finished runs are skipped, interrupted "
                                   "ones resumed.")
    p.add_argument("--archs", nargs="+", default=["modular", "holistic"])
    p.add_argument("--seeds", nargs="+", default=["0-4"], help="seeds, e.g. 0-7 or 0 3 5")
    p.add_argument("--out", required=True, help="parent folder of the runs")
    p.add_argument("--scheduler", default=None, help="dask scheduler address (default: local)")
    p.add_argument("--workers", type=int, default=None,
                   help="LocalCluster workers (default: cores)")
    p.add_argument("--n-trials-after-phase1", type=int, default=None)
    p.set_defaults(func=_cmd_sweep)


def _cmd_export(args: argparse.Namespace) -> int:
    from navdecode.pretrained.bundle import export_pretrained

    for run in args.runs:
        path = export_pretrained(run, dest=args.dest, criterion=args.criterion, force=args.force)
        print(f"exported {path}")
    return 0


def _add_export(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="bundle trained runs' selected actors as pretrained agents")
    p.add_argument("runs", nargs="+", help="run folders written by navdecode train")
    p.add_argument("--dest", default="pretrained",
                   help="destination folder (default ./pretrained; name navdecode/pretrained "
                        "to add to the package's bundle)")
    p.add_argument("--force", action="store_true", help="overwrite an agent of the same name")
    p.add_argument("--criterion", default="gain1x", choices=["gain1x", "sum"])
    p.set_defaults(func=_cmd_export)


def _cmd_status(args: argparse.Namespace) -> int:
    import pandas as pd

    from navdecode.training.runs import RunFolder, run_status

    runs = [r for r in args.runs if RunFolder(r).holds_run()]
    for r in args.runs:
        if r not in runs:
            print(f"{r}: no training run here (no config.json or state.pt)", file=sys.stderr)
    rows = []
    for r in runs:  # one unreadable folder is reported, the others still shown
        try:
            rows.append(run_status(r))
        except ValueError as err:
            print(f"{r}: {err}", file=sys.stderr)
    if not rows:
        return 1
    table = pd.DataFrame(rows).rename(columns={
        "reward_fraction_1x": "1x", "best_reward_fraction_1x": "best_1x",
        "error_cm_1x": "error_cm", "actor_saturated": "saturated",
        "actor_pinned": "pinned"})
    formats = {"phase1_trials": "{:.0f}", "1x": "{:.3f}", "best_1x": "{:.3f}",
               "error_cm": "{:.0f}", "saturated": "{:.3f}", "pinned": "{:.3f}", "wall_s": "{:.0f}",
               "idle_s": "{:.0f}"}
    for column, fmt in formats.items():
        table[column] = [fmt.format(v) if pd.notna(v) else "-" for v in table[column]]
    print(table.to_string(index=False))
    return 0


def _add_status(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("status", help="where training runs stand, read from their folders",
                       description="One line per run folder: trials and phase at the latest "
                                   "validation, phase-I length, latest and best 1x reward "
                                   "fraction, stop error (cm), fractions of validation steps "
                                   "with the actor saturated and with both actions pinned, "
                                   "training time, seconds since the run last wrote "
                                   "(growing: it is not running), finished or not.")
    p.add_argument("runs", nargs="+", help="run folders written by navdecode train")
    p.set_defaults(func=_cmd_status)


def _cmd_report(args: argparse.Namespace) -> int:
    from navdecode.recording.store import load_dataset
    from navdecode.report import check_report_folder, make_report

    check_report_folder(args.out, overwrite=args.force)  # before the work, not after
    if args.archs and args.recordings:
        msg = "--archs picks bundled agents; it cannot be combined with --recordings"
        raise ValueError(msg)
    recordings = [load_dataset(p) for p in args.recordings] if args.recordings else None
    agents = None
    if args.archs:
        from navdecode.pretrained.bundle import list_pretrained, load_pretrained

        table = list_pretrained(archs=args.archs)
        absent = [a for a in args.archs if a not in set(table["arch"])]
        if absent:
            msg = (f"--archs: no bundled agent of {absent}; bundled: "
                   f"{sorted(set(list_pretrained()['arch']))}")
            raise ValueError(msg)
        agents = [(a, int(s), load_pretrained(a, int(s)))
                  for a, s in zip(table["arch"], table["seed"], strict=True)]
    path = make_report(args.out, agents=agents, n_trials=args.n_trials, gains=tuple(args.gains),
                       progress=not args.quiet, n_threads=args.threads, recordings=recordings,
                       analyses=tuple(args.analyses), overwrite=args.force,
                       n_jobs=args.jobs, targets=list(args.decode))
    print(f"report written to {path}")
    return 0


def _add_report(sub: argparse._SubParsersAction) -> None:
    from navdecode.report.sections import DEFAULT_OPTIONS, OPTIONS

    p = sub.add_parser("report", help="the main job: analyse the bundled agents into a report",
                       description="Evaluate every bundled pretrained agent on the same fixed "
                                   "targets at each gain, record, compute behaviour metrics, "
                                   "decoding and seed-level statistics, and write figures, "
                                   "tables and report.md.")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--force", action="store_true",
                   help="replace an earlier report in --out (the whole folder)")
    p.add_argument("--n-trials", type=int, default=1000)
    p.add_argument("--gains", type=float, nargs="+", default=[1.0, 2.0])
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--threads", type=int, default=1,
                   help="CPU threads for torch and BLAS (default 1, fastest for these batches)")
    p.add_argument("--jobs", type=int, default=1,
                   help="worker processes for the per-network work, each with --threads "
                        "threads (default 1; the report is the same for any number)")
    p.add_argument("--analyses", nargs="*", default=list(DEFAULT_OPTIONS),
                   choices=list(OPTIONS), metavar="NAME",
                   help="optional sections: " + ", ".join(OPTIONS) + " (default all "
                        "but dynamics: fixed points and DSA, seconds per network)")
    p.add_argument("--decode", nargs="+", default=[], metavar="VAR",
                   help="variables to decode from the units beside the position, recorded "
                        "per step or per trial (e.g. a task's ground truth), with the same "
                        "grouped CV, controls and statistics")
    p.add_argument("--archs", nargs="+", default=None, metavar="ARCH",
                   help="only the bundled agents of these architectures (default: every "
                        "bundled agent; e.g. --archs modular holistic, the tutorial's two)")
    p.add_argument("--recordings", nargs="+", default=None, metavar="FILE",
                   help="analyse these recordings (.nc / .zarr, labelled by their arch and "
                        "seed attributes) instead of the bundled agents")
    p.set_defaults(func=_cmd_report)


_REGISTRARS: list[Callable[[argparse._SubParsersAction], None]] = [
    _add_evaluate, _add_decode, _add_train, _add_sweep, _add_status, _add_export,
    _add_report]


def build_parser() -> argparse.ArgumentParser:
    """The ``navdecode`` argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="navdecode",
        description="Train recurrent RL agents on the firefly navigation task and look "
                    "inside them.")
    from navdecode._version import __version__

    parser.add_argument("--version", action="version", version=f"navdecode {__version__}")
    sub = parser.add_subparsers(title="commands", dest="command", required=True)
    for register in _REGISTRARS:
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``navdecode`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "needs_arch", False):
        chosen = [bool(args.pretrained), bool(args.checkpoint), args.untrained]
        if sum(chosen) != 1:
            parser.error("name one agent: --pretrained ARCH:SEED (bundled), --checkpoint FILE, "
                         "or --arch ARCH --untrained (random initial weights)")
        if args.untrained and args.arch is None:
            parser.error("--untrained needs --arch")
    try:
        return args.func(args)
    except (TypeError, ValueError) as err:
        print(f"navdecode {args.command}: error: {err}", file=sys.stderr)
        return 2
    except OSError as err:  # a read-only folder, a file where a folder should be, a full disk
        where = f": {err.filename}" if err.filename else ""
        print(f"navdecode {args.command}: error: cannot write or read{where} "
              f"({err.strerror or err})", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        resume = {"train": "rerun it with --resume", "sweep": "rerun the same command (each "
                  "run resumes from its last state)"}.get(args.command, "rerun it")
        print(f"\nnavdecode {args.command}: interrupted; nothing finished was lost. To go "
              f"on, {resume}.", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
