import subprocess
import sys

from navdecode import load_dataset, make_agent, save_agent
from navdecode.cli import main


def test_help_lists_commands():
    out = subprocess.run([sys.executable, "-m", "navdecode.cli", "--help"], capture_output=True,
                         text=True, check=True).stdout
    assert "evaluate" in out


def test_evaluate_fresh_agent(tmp_path, capsys):
    out = tmp_path / "run.nc"
    assert main(["evaluate", "--arch", "holistic", "--gain", "2", "--n-trials", "20",
                 "--out", str(out)]) == 0
    ds = load_dataset(out)
    assert ds.sizes["trial"] == 20
    assert float(ds.gain[0]) == 2.0
    assert ds.attrs["arch"] == "holistic"
    assert "reward fraction" in capsys.readouterr().out


def test_evaluate_checkpoint_reads_arch(tmp_path):
    path = save_agent(make_agent("modular", seed=1), tmp_path / "m.pt")
    out = tmp_path / "run.zarr"
    assert main(["evaluate", "--checkpoint", str(path), "--n-trials", "5", "--out", str(out)]) == 0
    assert load_dataset(out).attrs["checkpoint"] == str(path)


def test_bad_checkpoint_is_a_clean_error(tmp_path, capsys):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"junk")
    code = main(["evaluate", "--checkpoint", str(bad), "--out", str(tmp_path / "x.nc")])
    assert code == 2
    assert "bad.pt" in capsys.readouterr().err
    assert not (tmp_path / "x.nc").exists()
