"""Add the full resolved TrainConfig (key ``config``) to bundled manifests written without it.

Manifests exported before session 7 record the command and the commit but not the
resolved configuration. For each such manifest this script resolves the command under
the code of the manifest's commit: that commit's ``navdecode`` package is extracted with
``git archive`` and its own ``navdecode train`` parser and ``TrainConfig`` are run on the
command. Where the run's own ``config.json`` is in the repository's history (the run
folders under ``training/`` were in git until session 7), the two are compared and any
difference printed (a folder name reused by an earlier run shows up there).

Manifests that already carry ``config`` only get the fields added since. Fields added
to `TrainConfig` after a manifest's commit take the value those runs trained under
(`navdecode.training.config.BEFORE_FIELD_EXISTED`, else today's default, which for every field
added since is the earlier behaviour); they are listed under ``config_fields_filled``.
``config_source`` says which way the configuration was obtained.

Run from the repository root:
``.venv/bin/python benchmarks/results/bundle-configs/backfill_configs.py``
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from navdecode._io import atomic_write_text
from navdecode.training.config import BEFORE_FIELD_EXISTED, TrainConfig

BUNDLE = Path("navdecode/pretrained")
RESOLVE = """
import json, sys
from dataclasses import asdict, fields
from navdecode.cli import build_parser
from navdecode.training.config import TrainConfig
args = build_parser().parse_args(sys.argv[1:])
values = {f.name: getattr(args, f.name) for f in fields(TrainConfig)
          if getattr(args, f.name) is not None}
if "validation_gains" in values:
    values["validation_gains"] = tuple(values["validation_gains"])
print(json.dumps(asdict(TrainConfig(**values))))
"""


def git(*args: str) -> str:
    return subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout


def committed_config(out: str) -> tuple[dict, str] | None:
    """The run's config.json from the newest commit that has it."""
    for commit in git("log", "--format=%H", "--", f"{out}/config.json").split():
        try:
            text = git("show", f"{commit}:{out}/config.json")
        except subprocess.CalledProcessError:
            continue  # the commit that deleted it
        return json.loads(text)["train"], f"{out}/config.json at commit {commit[:10]}"
    return None


def resolved_at_commit(command: str, commit: str) -> tuple[dict, str]:
    """TrainConfig of `command` under the package as it was at `commit`."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "archive", commit, "navdecode"], capture_output=True,
                                 check=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        argv = shlex.split(command)[1:]
        out = subprocess.run([sys.executable, "-c", RESOLVE, *argv], capture_output=True,
                             text=True, check=True, cwd=tmp, env={"PYTHONPATH": tmp})
    return json.loads(out.stdout), (f"command resolved by navdecode train's parser and "
                                    f"TrainConfig at commit {commit[:10]}")


def main() -> None:
    today = json.loads(json.dumps(asdict(TrainConfig())))
    for path in sorted(BUNDLE.glob("*.json")):
        manifest = json.loads(path.read_text())
        if "config" in manifest:  # exported with its config: fill newer fields only
            config = dict(manifest["config"])
            filled = sorted(k for k in today if k not in config)
            if filled:
                manifest["config"] = {k: config.get(k, today[k]) for k in today}
                manifest["config_fields_filled"] = filled
                atomic_write_text(path, json.dumps(manifest, indent=2) + "\n")
                print(f"{path.name}: had config; filled {', '.join(filled)}")
            continue
        command = manifest["command"]
        out = shlex.split(command)[shlex.split(command).index("--out") + 1]
        config, source = resolved_at_commit(command, manifest["navdecode_commit"])
        committed = committed_config(out)
        if committed is not None:
            differ = sorted(k for k in config if k in committed[0] and k not in (
                "torch_threads", "device") and committed[0][k] != config[k])
            print(f"{path.name}: {committed[1]} differs in {differ or 'nothing'}")
        filled = sorted(k for k in today if k not in config)
        for k in filled:
            config[k] = BEFORE_FIELD_EXISTED.get(k, today[k])
        manifest["config"] = {k: config[k] for k in today}
        manifest["config_source"] = source
        manifest["config_fields_filled"] = filled
        atomic_write_text(path, json.dumps(manifest, indent=2) + "\n")
        print(f"{path.name}: {source}; filled {', '.join(filled) or 'nothing'}")


if __name__ == "__main__":
    main()
