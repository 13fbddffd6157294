"""The command-line training demo (python -m minitorch.demo): the MLP part meets its accuracy
target and writes its outputs. (The CNN part takes about a minute; its figures are in the
issue notes and it is run by `python3 dev.py lab` on machines without a display.)"""
from minitorch import demo


def test_mlp_demo_reaches_target_and_writes_files(tmp_path, capsys):
    assert demo.main(["--only", "mlp", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "MLP on digits" in out and "ok" in out
    assert (tmp_path / "mlp_graph.svg").read_text().lstrip().startswith(("<?xml", "<svg"))
    assert (tmp_path / "loss_curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
