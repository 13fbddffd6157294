"""The public API, swept: every public name of PyTorch's ``torch``, ``torch.nn``,
``torch.nn.functional``, ``torch.optim`` and ``torch.utils.data`` that a CPU-only learner's
program may touch is present in minitorch, or listed with its reason in docs/deviations.md
(section "PyTorch names minitorch does not have"). No silent gaps.

The list of names is generated from the installed PyTorch here, not written by hand. Names a
learner's program cannot touch are filtered out by the rules below, each with its reason;
everything else is checked. The listed names must really be missing, so that the document
stays true when one is implemented.
"""
import functools
import importlib
import json
import os
import pathlib
import re
import subprocess
import sys
import types

import pytest
import torch

import minitorch

NAMESPACES = ["torch", "torch.nn", "torch.nn.functional", "torch.optim", "torch.utils.data"]
DEVIATIONS = pathlib.Path(__file__).parent.parent / "docs" / "deviations.md"
SECTION = "## PyTorch names minitorch does not have"

# (namespaces the rule applies to, pattern for the name, why a CPU-only learner's program
# never touches such a name). Names starting with "_" are private and never swept.
OUT_OF_REACH = [
    (NAMESPACES, r"quantiz|qint|quint|qscheme|^q_|^per_(channel|tensor)|fake_quant|int_repr|"
                 r"fbgemm|qparams|^(qat|intrinsic|ao)$|^dequantize$",
     "quantization: int8 inference tooling for deployment, not part of training"),
    (NAMESPACES, r"sparse|^[dh]smm$|^smm$|spmm|saddmm|hspmm|sspaddmm|crow_indices|col_indices|"
                 r"row_indices|^indices_copy$|^values_copy$|^sparse_",
     "sparse tensor layouts: need a sparse storage format NumPy does not have"),
    (["torch"], r"^(cudnn|miopen|mkldnn|vulkan|native|batch_norm)_|^is_vulkan|"
                r"_(ipu|xla|gpu|cpu)_|^(xpu|mtia|mps)$|^(cpu|cuda)_",
     "vendor kernels and accelerator back-ends that PyTorch's own layers call"),
    (["torch"], r"^(alias|as_strided|detach|diagonal|expand|narrow|permute|select|slice|split|"
                r"split_with_sizes|squeeze|t|transpose|unbind|unfold|unsqueeze|view|"
                r"view_as_complex|view_as_real)_copy$",
     "copying twins of view ops that torch.compile's functionalization emits"),
    (["torch"], r"^sym_|^Sym|^(cond|while_loop|compiler|export|fx|jit|library|package|classes|"
                r"cpp|overrides|futures|fork|wait|monitor|return_types|functional|types|"
                r"import_ir_module.*|parse_ir|parse_schema|parse_type_comment|unify_type_list|"
                r"merge_type_from_type_comment|Graph|Node|Value|Block|Use|Tag|Type|"
                r"PRIVATE_OPS|classproperty|get_file_path|prepare_multiprocessing_environment|"
                r"compiled_with_cxx11_abi|has_(lapack|mkl|openmp|spectral)|"
                r"USE_GLOBAL_DEPS|USE_RTLD_GLOBAL_WITH_LIBTORCH|TYPE_CHECKING|AggregationType|"
                r"AVG|SUM|DispatchKey|DispatchKeySet|DisableTorchFunction.*|"
                r"profiler_allow_cudagraph.*|autocast_(increment|decrement)_nesting|"
                r"thread_safe_generator|hash_tensor|segment_reduce|slice_inverse|JITException|FatalError)$",
     "TorchScript/JIT, torch.compile, op registration, symbolic shapes and build flags: "
     "PyTorch's machinery, not its tensor API"),
    (["torch"], r"^(float8_.*|float4_.*|bits.*|u?int[1-7]|bit)$",
     "sub-byte, float8 and raw-bit dtypes: only special GPU kernels compute with them"),
    (["torch.nn.functional"], r"^(TYPE_CHECKING|handle_torch_function|has_torch_function.*|boolean_dispatch|"
                              r"assert_int_or_pair|BroadcastingList\d|DType|ScalingType|"
                              r"SwizzleType|GRID_SAMPLE_.*|.*_notes|scaled_mm|scaled_grouped_mm|"
                              r"grouped_mm|conv_tbc|native_channel_shuffle)$",
     "helpers of PyTorch's own implementation, and GPU-only fused kernels"),
    (["torch.nn"], r"^(factory_kwargs|common_types|Container|grad|LinearCrossEntropyOptions)$",
     "helpers of PyTorch's own implementation (Container is deprecated since 0.4)"),
    (["torch.utils.data"], r"DataPipe|^(DataChunk|datapipes|functional_datapipe|graph|"
                           r"graph_settings|guaranteed_datapipes_determinism|"
                           r"non_deterministic|argument_validation|runtime_validation.*)$",
     "DataPipes: deprecated by PyTorch and frozen since 2.4"),
]


def not_pytorchs_own(namespace: str, name: str, obj) -> bool:
    """Standard-library modules, typing constructs, C++ binding classes and re-exports that a
    namespace holds only because PyTorch's own code imports or defines them there (the
    re-exported objects are swept in the namespace they belong to)."""
    if isinstance(obj, types.ModuleType):  # only a namespace's own submodules count
        return obj.__name__ != f"{namespace}.{name}"
    if type(obj).__name__ == "pybind11_type":  # TorchScript IR and C++ helper classes
        return True
    if namespace != "torch" and isinstance(obj, type) and getattr(torch, name, None) is obj:
        return True  # e.g. torch.nn.functional.Tensor is torch.Tensor
    return getattr(obj, "__module__", None) in ("typing", "builtins", "collections.abc")


def out_of_reach(namespace: str, name: str) -> bool:
    return any(namespace in spaces and re.search(pattern, name)
               for spaces, pattern, _ in OUT_OF_REACH)


# Run in a fresh interpreter: in this one, other tests may have imported more submodules
# (torch.nn.attention, minitorch.nn.parallel ...) than a program gets from its imports.
_FRESH_LOOK = """
import importlib, json, sys
import torch
spaces = json.loads(sys.argv[1])
names = {ns: dir(importlib.import_module(ns)) for ns in spaces}
names["torch"] += sorted(getattr(torch, "_lazy_modules", ()))  # torch.onnx, loaded on use
ours = {ns: importlib.import_module(ns.replace("torch", "minitorch", 1)) for ns in spaces}
has = {ns: [n for n in names[ns] if hasattr(ours[ns], n)] for ns in spaces}
print(json.dumps({"pytorch": names, "minitorch": has}))
"""


@functools.cache
def fresh_look() -> dict:
    """PyTorch's names in each namespace right after importing it, and which of them
    minitorch's namespace has right after importing it."""
    root = str(pathlib.Path(minitorch.__file__).parent.parent)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]))
    result = subprocess.run([sys.executable, "-c", _FRESH_LOOK, json.dumps(NAMESPACES)],
                            capture_output=True, text=True, check=True, env=env)
    return json.loads(result.stdout.splitlines()[-1])


def swept_names(namespace: str) -> list[str]:
    module = importlib.import_module(namespace)
    return sorted({name for name in fresh_look()["pytorch"][namespace]
                   if not name.startswith("_")
                   and not not_pytorchs_own(namespace, name, getattr(module, name))
                   and not out_of_reach(namespace, name)})


def minitorch_has(namespace: str, name: str) -> bool:
    return name in fresh_look()["minitorch"][namespace]


def listed_deviations() -> set[str]:
    """The qualified names (``torch.nn.Conv3d``) in backticks in the section of
    docs/deviations.md that lists what minitorch does not have."""
    text = DEVIATIONS.read_text()
    assert SECTION in text, f"docs/deviations.md lacks the section {SECTION!r}"
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`(torch(?:\.[A-Za-z_][A-Za-z0-9_]*)+)`", section))


def test_every_reachable_pytorch_name_is_present_or_listed():
    listed = listed_deviations()
    silent = [f"{ns}.{name}" for ns in NAMESPACES for name in swept_names(ns)
              if not minitorch_has(ns, name) and f"{ns}.{name}" not in listed]
    assert silent == [], f"{len(silent)} PyTorch names neither in minitorch nor listed: {silent}"


def test_listed_names_are_really_missing():
    # A listed name that minitorch now has must leave the list (the document stays true).
    present = []
    for qualified in sorted(listed_deviations()):
        namespace, name = qualified.rsplit(".", 1)
        if namespace in NAMESPACES and minitorch_has(namespace, name):
            present.append(qualified)
    assert present == [], f"listed as missing but present in minitorch: {present}"


def test_listed_names_exist_in_pytorch():
    unknown = []
    for qualified in sorted(listed_deviations()):
        namespace, name = qualified.rsplit(".", 1)
        if namespace in NAMESPACES and not hasattr(importlib.import_module(namespace), name):
            unknown.append(qualified)
    assert unknown == [], f"listed names PyTorch does not have: {unknown}"


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_sweep_covers_the_namespace(namespace):
    # The filters must leave the bulk of each namespace to be checked (a rule that swallowed
    # everything would make the sweep pass vacuously).
    swept, present = swept_names(namespace), [n for n in swept_names(namespace)
                                              if minitorch_has(namespace, n)]
    assert len(swept) >= 15 and len(present) >= len(swept) // 3, (len(swept), len(present))
    for essential in {"torch": ["tensor", "randn", "no_grad", "float32"],
                      "torch.nn": ["Linear", "Module", "Embedding"],
                      "torch.nn.functional": ["cross_entropy", "softmax"],
                      "torch.optim": ["AdamW", "SGD"],
                      "torch.utils.data": ["DataLoader", "RandomSampler"]}[namespace]:
        assert essential in swept


def test_filter_rules_keep_names_a_learner_uses():
    # Guard against rules written too broadly.
    for namespace, name in [("torch", "cumsum"), ("torch", "index_copy"), ("torch", "cross"),
                            ("torch", "nn"), ("torch", "optim"), ("torch", "bfloat16"),
                            ("torch", "manual_seed"), ("torch.nn", "Conv3d"),
                            ("torch.nn.functional", "embedding_bag"), ("torch.optim", "LBFGS")]:
        assert not out_of_reach(namespace, name), f"{namespace}.{name}"
        assert name in swept_names(namespace)
