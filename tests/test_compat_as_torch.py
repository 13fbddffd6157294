"""``python -m minitorch.utils.as_torch script.py``: an unchanged PyTorch script runs on
minitorch. The script below uses the imports and idioms of makemore and nanoGPT; run on
PyTorch and on minitorch from the same starting weights, it must print the same losses."""
import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import minitorch

SCRIPT = '''
import json, sys
import numpy as np
import torch
import torch.nn as nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset, RandomSampler
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.distributed import init_process_group, destroy_process_group

torch.backends.cuda.matmul.allow_tf32 = True
torch.backends.cudnn.allow_tf32 = True
ddp = False  # as nanoGPT decides when not launched by torchrun
device_type = "cuda" if torch.cuda.is_available() else "cpu"
scaler = torch.cuda.amp.GradScaler(enabled=False)
model = nn.Sequential(nn.Embedding(10, 8), nn.Flatten(), nn.Linear(24, 10))
weights = np.load(sys.argv[1])
model.load_state_dict({k: torch.from_numpy(weights[k]) for k in weights.files})
model = torch.compile(model) if False else model
optimizer = torch.optim.AdamW(model.parameters(), lr=0.01, betas=(0.9, 0.99), eps=1e-8)
data = torch.from_numpy(np.arange(60).reshape(20, 3) % 10)
targets = torch.from_numpy(np.arange(20) % 10)
loader = DataLoader(TensorDataset(data, targets), batch_size=4,
                    sampler=RandomSampler(range(20), replacement=True, num_samples=int(1e10)))
batch = next(iter(loader))  # the endless loader works; the losses below use fixed batches
losses = []
for step in range(5):
    x, y = data[step * 4:(step + 1) * 4], targets[step * 4:(step + 1) * 4]
    logits = model(x)
    loss = F.cross_entropy(logits, y)
    optimizer.zero_grad(set_to_none=True)
    scaler.scale(loss).backward()
    scaler.step(optimizer)
    scaler.update()
    losses.append(loss.item())
print(json.dumps({"library": torch.__name__, "losses": losses}))
'''


@pytest.fixture
def script_and_weights(tmp_path):
    import torch
    torch.manual_seed(0)
    reference = torch.nn.Sequential(torch.nn.Embedding(10, 8), torch.nn.Flatten(),
                                    torch.nn.Linear(24, 10))
    weights = tmp_path / "weights.npz"
    np.savez(weights, **{k: v.detach().numpy() for k, v in reference.state_dict().items()})
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    return script, weights


def python(*args):
    """Run Python on this checkout's minitorch (not whichever one is installed)."""
    root = str(pathlib.Path(minitorch.__file__).parent.parent)
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": root, "OMP_NUM_THREADS": "1", "PATH": ""})


def run(*args):
    result = python(*args)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.splitlines()[-1])


def test_unchanged_pytorch_script_runs_with_pytorchs_losses(script_and_weights):
    script, weights = script_and_weights
    ours = run("-m", "minitorch.utils.as_torch", str(script), str(weights))
    theirs = run(str(script), str(weights))
    assert (ours["library"], theirs["library"]) == ("minitorch", "torch")
    np.testing.assert_allclose(ours["losses"], theirs["losses"], rtol=1e-5)


def test_alias_refuses_when_pytorch_is_already_imported():
    code = ("import torch, minitorch.utils.as_torch as a\n"
            "try:\n    a.install()\nexcept RuntimeError as e:\n    print('refused')\n")
    result = python("-c", code)
    assert result.stdout.strip() == "refused", result.stderr[-2000:]


def test_alias_maps_submodules_and_keeps_minitorchs_own_specs():
    code = ("import json, minitorch.utils.as_torch as a\n"
            "a.install()\n"
            "import torch, torch.nn.functional as F\n"
            "from torch.utils.data.dataloader import DataLoader\n"
            "from torch.nn.modules.activation import MultiheadAttention\n"
            "print(json.dumps([torch.__name__, F.__name__, DataLoader.__module__,\n"
            "                  torch.nn.__spec__.name, MultiheadAttention.__module__]))\n")
    result = python("-c", code)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout) == ["minitorch", "minitorch.nn.functional",
                                         "minitorch.utils.data.dataloader", "minitorch.nn",
                                         "minitorch.nn.modules.attention"]
