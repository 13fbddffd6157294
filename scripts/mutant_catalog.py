"""The planted bugs that scripts/mutants.py applies, one at a time, to a copy of the tree.

Each mutant is a realistic mistake (a wrong sign in a derivative, an off-by-one, a missing
transpose, a dropped broadcast reduction, a swapped argument, a wrong eps or momentum ...):
``find`` must occur exactly once in ``path`` (tests/test_mutants_script.py checks it), and
``replace`` is what a careless edit would have written. ``tests`` are the files expected to
catch it: a focused set, so that the whole run fits in about half an hour on two cores.
"""
from __future__ import annotations

from typing import NamedTuple


class Mutant(NamedTuple):
    name: str
    area: str          # ops, autograd, nn, optim, data, viz, io, compile, fast
    path: str
    find: str
    replace: str
    tests: tuple
    why: str


POINTWISE = ("tests/test_ops_pointwise.py",)
REDUCE = ("tests/test_ops_reduce.py",)
SHAPE = ("tests/test_ops_shape.py",)
LINALG = ("tests/test_ops_linalg.py",)
AUTOGRAD = ("tests/test_autograd.py", "tests/test_oracle_self.py")
FUNCTIONAL = ("tests/test_nn_functional.py",)
LAYERS = ("tests/test_nn_layers.py",)
LOSSES = ("tests/test_nn_losses.py",)
RNN = ("tests/test_nn_rnn.py", "tests/test_dropout_in_layers.py")
ATTENTION = ("tests/test_nn_attention.py", "tests/test_dropout_in_layers.py")
OPTIM = ("tests/test_optim.py",)
SCHEDULERS = ("tests/test_lr_scheduler.py",)
DATA = ("tests/test_data.py",)
VIZ = ("tests/test_viz.py",)
IO = ("tests/test_serialization.py",)
COMPILE = ("tests/test_compile.py",)

UNARY, BINARY = "minitorch/ops/unary.py", "minitorch/ops/pointwise.py"
REDUCE_PY, SOFTMAX = "minitorch/ops/reduce.py", "minitorch/ops/softmax.py"
SHAPE_PY = "minitorch/ops/shape.py"
NORM, ATTN = "minitorch/nn/functional/_normalization.py", "minitorch/nn/functional/_attention.py"
RNN_PY, TRANSFORMER = "minitorch/nn/modules/rnn.py", "minitorch/nn/modules/transformer.py"
SGD, ADAM = "minitorch/optim/sgd.py", "minitorch/optim/adam.py"
OPTIMIZER = "minitorch/optim/optimizer.py"
GRAPH, LABELS = "viz/graph.py", "viz/labels.py"

M = Mutant
MUTANTS = [
    # --- ops: derivatives, broadcasting, shapes ------------------------------------------------
    M("add_grad_not_summed_to_shape", "ops", BINARY,
      "sum_to_shape(grad, shape_b) if ctx.needs_input_grad[1] else None)",
      "grad if ctx.needs_input_grad[1] else None)", POINTWISE, "dropped broadcast reduction"),
    M("sub_grad_sign", "ops", BINARY, "sum_to_shape(-grad, shape_b)", "sum_to_shape(grad, shape_b)",
      POINTWISE, "d(a-b)/db = +1"),
    M("mul_grad_wrong_operand", "ops", BINARY,
      "grad_b = sum_to_shape(grad * (ctx.scalars[0] if a is None else a), shape_b)",
      "grad_b = sum_to_shape(grad * (ctx.scalars[0] if a is None else grad), shape_b)",
      POINTWISE, "d(ab)/db uses the wrong factor"),
    M("div_grad_sign", "ops", BINARY, "grad_b = sum_to_shape(-grad * numerator / (b * b), shape_b)",
      "grad_b = sum_to_shape(grad * numerator / (b * b), shape_b)", POINTWISE, "d(a/b)/db sign"),
    M("exp_grad_dropped", "ops", UNARY, "        return grad * result\n", "        return grad\n",
      POINTWISE, "d exp = 1"),
    M("log_grad_inverted", "ops", UNARY, "        return grad / a\n", "        return grad * a\n",
      POINTWISE, "d log a = a"),
    M("tanh_grad_sign", "ops", UNARY, "return grad * (1 - result * result)",
      "return grad * (1 + result * result)", POINTWISE, "1 + tanh^2"),
    M("sigmoid_grad_missing_y", "ops", UNARY, "return grad * (1 - result) * result",
      "return grad * (1 - result)", POINTWISE, "sigmoid' = 1 - y"),
    M("sqrt_grad_missing_2", "ops", UNARY, "return grad / (2 * result)", "return grad / result",
      POINTWISE, "sqrt' = 1/y"),
    M("relu_grad_at_zero", "ops", UNARY, "keep = Tensor._from_array(~(result._data <= 0))",
      "keep = Tensor._from_array(result._data >= 0)",
      POINTWISE + FUNCTIONAL, "relu passes the gradient at 0 (PyTorch: 0)"),
    M("matmul_missing_transpose", "ops", "minitorch/ops/linalg.py",
      "grad_a = sum_to_shape(grad @ b.mT, shape_a)", "grad_a = sum_to_shape(grad @ b, shape_a)",
      LINALG, "missing transpose in dL/dA"),
    M("dot_grad_swapped", "ops", "minitorch/ops/linalg.py", "grad_a = grad * b if need_a else None",
      "grad_a = grad * a if need_a else None", LINALG, "dot's gradient from the wrong operand"),
    M("broadcast_sum_becomes_mean", "ops", "minitorch/ops/_helpers.py",
      "grad = grad.sum(tuple(dims), keepdim=True)", "grad = grad.mean(tuple(dims), keepdim=True)",
      POINTWISE, "broadcast reduction averages"),
    M("broadcast_leading_dims_kept", "ops", "minitorch/ops/_helpers.py",
      "    dims = list(range(lead))\n",
      "    dims = list(range(lead))[1:]\n", POINTWISE, "off-by-one in the leading dims summed"),
    M("mean_grad_count_off_by_one", "ops", REDUCE_PY, "ctx.keepdim) / ctx.count, None",
      "ctx.keepdim) / (ctx.count - 1), None", REDUCE, "mean divides by n - 1"),
    M("var_grad_ignores_correction", "ops", REDUCE_PY,
      "factor = 2 / denominator if denominator > 0 else math.inf",
      "factor = 2 / count if denominator > 0 else math.inf", REDUCE, "var' uses n, not n - 1"),
    M("prod_grad_not_divided", "ops", REDUCE_PY,
      "return grad * _keep_dims(result, shape, dims, ctx.keepdim) / a, None, None, None",
      "return grad * _keep_dims(result, shape, dims, ctx.keepdim), None, None, None",
      REDUCE, "d prod / da_i = prod"),
    M("cumsum_grad_forward", "ops", REDUCE_PY, "return ReverseCumSum.apply(grad, ctx.dim), None, None",
      "return grad.cumsum(ctx.dim), None, None", REDUCE, "cumsum's backward not reversed"),
    M("softmax_grad_missing_y", "ops", SOFTMAX,
      "return product - y * product.sum(ctx.dim, keepdim=True), None",
      "return product - product.sum(ctx.dim, keepdim=True), None", REDUCE, "Jacobian term dropped"),
    M("log_softmax_grad_missing_exp", "ops", SOFTMAX,
      "return grad - result.exp() * grad.sum(ctx.dim, keepdim=True), None",
      "return grad - result * grad.sum(ctx.dim, keepdim=True), None", REDUCE, "log p for p"),
    M("logsumexp_grad_sign", "ops", SOFTMAX, "* (a - kept).exp(), None, None",
      "* (kept - a).exp(), None, None", REDUCE, "exp(lse - a) instead of exp(a - lse)"),
    M("permute_grad_not_inverted", "ops", SHAPE_PY,
      "inverse = tuple(int(i) for i in np.argsort(ctx.dims))",
      "inverse = tuple(int(i) for i in ctx.dims)", SHAPE, "permutation applied, not its inverse"),
    M("cat_grad_offset", "ops", "minitorch/ops/joining.py", "            start += size\n",
      "            start += size - 1\n", SHAPE, "off-by-one in cat's split"),
    M("stack_grad_first_slice", "ops", "minitorch/ops/joining.py",
      "piece = basic_index(grad, (slice(None),) * ctx.dim + (i,))",
      "piece = basic_index(grad, (slice(None),) * ctx.dim + (0,))", SHAPE, "every input gets slice 0"),
    # --- autograd --------------------------------------------------------------------------------
    M("gradcheck_compares_with_itself", "autograd", "minitorch/autograd/gradcheck.py",
      "if not np.allclose(analytical, numerical.reshape(analytical.shape), rtol=rtol, atol=atol):",
      "if not np.allclose(analytical, analytical, rtol=rtol, atol=atol):", AUTOGRAD,
      "gradcheck can never fail"),
    M("gradcheck_one_sided_step", "autograd", "minitorch/autograd/gradcheck.py",
      "[(p - m) / (2 * eps) for p, m", "[(p - m) / eps for p, m", AUTOGRAD,
      "central difference divided by eps"),
    M("engine_fan_out_overwrites", "autograd", "minitorch/autograd/engine.py",
      "buffer[nr] = grad if buffer[nr] is None else buffer[nr] + grad", "buffer[nr] = grad",
      AUTOGRAD, "a tensor used twice keeps the last gradient"),
    M("leaf_grad_overwritten", "autograd", "minitorch/autograd/function.py",
      "variable._grad._data += grad._data", "variable._grad._data[...] = grad._data",
      AUTOGRAD, "backward twice does not accumulate"),
    M("leaf_grad_shared", "autograd", "minitorch/autograd/function.py",
      "return _tensor.Tensor._from_array(grad._data.copy())",
      "return _tensor.Tensor._from_array(grad._data)",
      AUTOGRAD + ("tests/test_grad_ownership.py",), "two leaves share one .grad array"),
    M("no_grad_exit_enables", "autograd", "minitorch/autograd/grad_mode.py",
      "        _set(self._previous)\n", "        _set(True)\n", AUTOGRAD,
      "nested no_grad re-enables recording on exit"),
    # --- nn -----------------------------------------------------------------------------------
    M("linear_bias_grad_mean", "nn", "minitorch/nn/functional/_linear.py",
      "return as_gradients(grad.sum(0) if need_bias else None,",
      "return as_gradients(grad.mean(0) if need_bias else None,",
      LAYERS, "bias gradient averaged over the batch"),
    M("linear_weight_grad_averaged", "nn", "minitorch/nn/functional/_linear.py",
      "(grad.T @ x).T if need_matrix else None)", "(grad.T @ x).T / len(x) if need_matrix else None)",
      LAYERS, "weight gradient averaged over the batch"),
    M("batchnorm_momentum_swapped", "nn", NORM,
      "running_mean._data[...] = (1 - m) * running_mean._data + m * mean",
      "running_mean._data[...] = m * running_mean._data + (1 - m) * mean", LAYERS,
      "momentum weights swapped"),
    M("batchnorm_running_var_biased", "nn", NORM, "var = a.var(axis=dims) * (count / (count - 1))",
      "var = a.var(axis=dims)", LAYERS, "running variance without Bessel's correction"),
    M("norm_hardcoded_eps", "nn", NORM, "invstd = 1 / np.sqrt(var + a.dtype.type(eps))",
      "invstd = 1 / np.sqrt(var + a.dtype.type(1e-3))", FUNCTIONAL, "eps argument ignored"),
    M("conv_output_size_off_by_one", "nn", "minitorch/nn/functional/_conv.py",
      "self.out_hw = ((hp - dh * (kh - 1) - 1) // stride[0] + 1,",
      "self.out_hw = ((hp - dh * (kh - 1)) // stride[0] + 1,", ("tests/test_nn_conv.py",),
      "conv output height off by one"),
    M("pool_output_size_off_by_one", "nn", "minitorch/nn/functional/_pooling.py",
      "out = (span + (s - 1 if ceil_mode else 0)) // s + 1",
      "out = (span + (s - 1 if ceil_mode else 0)) // s",
      ("tests/test_nn_pooling.py",), "pooling drops the last window"),
    M("label_smoothing_not_spread", "nn", "minitorch/nn/functional/_cross_entropy.py",
      "* (label_smoothing / input.shape[class_dim]))", "* label_smoothing)", LOSSES,
      "smoothing mass not divided among classes"),
    M("weighted_mean_divides_by_count", "nn", "minitorch/nn/functional/_cross_entropy.py",
      "return loss.sum() if reduction == \"sum\" else loss.sum() / ctx.total",
      "return loss.sum() if reduction == \"sum\" else loss.sum() / loss.numel()", LOSSES,
      "weighted mean over the count, not the weights"),
    M("loss_mean_is_sum", "nn", "minitorch/nn/functional/_reduction.py", "        return loss.mean()\n",
      "        return loss.sum()\n", LOSSES, "reduction='mean' sums"),
    M("embedding_padding_inverted", "nn", "minitorch/nn/functional/_embedding.py",
      "keep = (flat_index != ctx.padding_idx).unsqueeze(1)",
      "keep = (flat_index == ctx.padding_idx).unsqueeze(1)", FUNCTIONAL,
      "only padding_idx gets a gradient"),
    M("gelu_tanh_square", "nn", "minitorch/nn/functional/_activation.py",
      "inner = t(_SQRT_2_OVER_PI) * (a + t(0.044715) * a * a * a)",
      "inner = t(_SQRT_2_OVER_PI) * (a + t(0.044715) * a * a)", FUNCTIONAL, "x^2 for x^3"),
    M("dropout_scale_one_over_p", "nn", "minitorch/nn/functional/_dropout.py",
      "mask = keep.astype(dtype) / dtype.type(1 - p)", "mask = keep.astype(dtype) / dtype.type(p)",
      LAYERS + ("tests/test_dropout_in_layers.py",), "1/p for 1/(1-p)"),
    M("rnn_dropout_after_last_layer", "nn", RNN_PY,
      "if self.dropout and self.training and layer < self.num_layers - 1:",
      "if self.dropout and self.training:", RNN, "dropout after the last layer too"),
    M("lstm_cell_grad_missing_forget", "nn", RNN_PY,
      "return Tensor._from_array(d_gates), Tensor._from_array(dc * f)",
      "return Tensor._from_array(d_gates), Tensor._from_array(dc)", RNN,
      "dc/dc_prev without the forget gate"),
    M("transformer_ff_dropout_removed", "nn", TRANSFORMER,
      "return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))",
      "return self.dropout2(self.linear2(self.activation(self.linear1(x))))", ATTENTION,
      "no dropout inside the feed-forward block"),
    M("sdpa_dropout_not_rescaled", "nn", ATTN,
      "weights = dropout(weights, dropout_p, training=True)\n    return weights @ value",
      "weights = dropout(weights, dropout_p, training=True) * (1 - dropout_p)\n"
      "    return weights @ value", ATTENTION, "attention dropout without 1/(1-p)"),
    M("mha_dropout_not_rescaled", "nn", ATTN,
      "weights = dropout(weights, dropout_p, training=True)\n    out = weights @ v",
      "weights = dropout(weights, dropout_p, training=True) * (1 - dropout_p)\n    out = weights @ v",
      ATTENTION, "attention dropout without 1/(1-p)"),
    M("sdpa_scale_without_sqrt", "nn", ATTN, "scale = 1.0 / math.sqrt(query.shape[-1])",
      "scale = 1.0 / query.shape[-1]", ATTENTION, "1/E for 1/sqrt(E)"),
    M("mha_scale_by_embed_dim", "nn", ATTN, "scores = (q * (1.0 / math.sqrt(head_dim))) @ k.mT",
      "scores = (q * (1.0 / math.sqrt(embed_dim))) @ k.mT", ATTENTION, "scaled by the model width"),
    M("module_zero_grad_keeps_grads", "nn", "minitorch/nn/modules/module.py",
      "            if set_to_none:\n                param.grad = None",
      "            if set_to_none:\n                pass", ("tests/test_nn_module.py",),
      "Module.zero_grad() does nothing"),
    # --- optim ----------------------------------------------------------------------------------
    M("sgd_dampening_inverted", "optim", SGD, "add_(grad, alpha=1 - group[\"dampening\"])",
      "add_(grad, alpha=group[\"dampening\"])", OPTIM, "dampening used as the kept fraction"),
    M("sgd_nesterov_ignored", "optim", SGD,
      "grad = grad.add(buf, alpha=momentum) if group[\"nesterov\"] else buf", "grad = buf", OPTIM,
      "nesterov=True is plain momentum"),
    M("sgd_first_step_dampened", "optim", SGD, "buf = state[\"momentum_buffer\"] = grad.clone()",
      "buf = state[\"momentum_buffer\"] = grad * (1 - group[\"dampening\"])", OPTIM,
      "the first momentum buffer is dampened (PyTorch: not)"),
    M("adam_no_bias_correction1", "optim", ADAM, "step_size = lr / (1 - beta1 ** t)", "step_size = lr",
      OPTIM, "first-moment bias correction off"),
    M("adam_no_bias_correction2", "optim", ADAM,
      "denom = (second_moment.sqrt() / (1 - beta2 ** t) ** 0.5).add_(eps)",
      "denom = second_moment.sqrt().add_(eps)", OPTIM, "second-moment bias correction off"),
    M("adam_beta1_swapped", "optim", ADAM,
      "exp_avg.lerp_(grad, 1 - beta1)", "exp_avg.lerp_(grad, beta1)",
      OPTIM, "beta1 weights the new gradient"),
    M("adamw_decay_without_lr", "optim", OPTIMIZER, "p.mul_(1 - group[\"lr\"] * weight_decay)",
      "p.mul_(1 - weight_decay)", OPTIM, "decoupled decay not scaled by lr"),
    M("weight_decay_sign", "optim", OPTIMIZER, "return grad.add(p, alpha=weight_decay)",
      "return grad.add(p, alpha=-weight_decay)", OPTIM, "L2 penalty pushes weights up"),
    M("rmsprop_alpha_swapped", "optim", "minitorch/optim/rmsprop.py",
      "addcmul_(grad, grad, value=1 - alpha)", "addcmul_(grad, grad, value=alpha)", OPTIM,
      "alpha weights the new square"),
    M("optimizer_zero_grad_keeps_grads", "optim", OPTIMIZER,
      "                if set_to_none:\n                    p.grad = None",
      "                if set_to_none:\n                    pass", OPTIM, "zero_grad() does nothing"),
    M("steplr_off_by_one", "optim", "minitorch/optim/lr_scheduler/decay.py",
      "if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:",
      "if self.last_epoch == 0 or (self.last_epoch + 1) % self.step_size != 0:", SCHEDULERS,
      "StepLR decays one epoch early"),
    M("cosine_ratio_inverted", "optim", "minitorch/optim/lr_scheduler/decay.py",
      "ratio = (1 + math.cos(math.pi * epoch / T)) / (1 + math.cos(math.pi * (epoch - 1) / T))",
      "ratio = (1 + math.cos(math.pi * (epoch - 1) / T)) / (1 + math.cos(math.pi * epoch / T))",
      SCHEDULERS, "cosine annealing's step ratio upside down"),
    # --- data -----------------------------------------------------------------------------------
    M("batch_sampler_drop_last_inverted", "data", "minitorch/utils/data/sampler.py",
      "        if batch and not self.drop_last:\n", "        if batch and self.drop_last:\n", DATA,
      "the short last batch dropped when it should be kept"),
    M("iterable_batches_always_drop_last", "data", "minitorch/utils/data/_fetch.py",
      "if not batch or (self.drop_last and len(batch) < self.batch_size):",
      "if not batch or len(batch) < self.batch_size:", DATA, "iterable datasets lose the last batch"),
    M("sequential_sampler_skips_first", "data", "minitorch/utils/data/sampler.py",
      "return iter(range(len(self.data_source)))", "return iter(range(1, len(self.data_source)))",
      DATA, "off-by-one: item 0 never seen"),
    M("loader_len_ceil_floor_swapped", "data", "minitorch/utils/data/dataloader.py",
      "length = (length // self.batch_size if self.drop_last",
      "length = (length // self.batch_size if not self.drop_last", DATA, "len(loader) wrong"),
    M("random_split_overlaps", "data", "minitorch/utils/data/dataset.py", "        start += length\n",
      "        start += length - 1\n", DATA, "subsets share an item"),
    M("collate_floats_as_float32", "data", "minitorch/utils/data/_collate.py",
      "return Tensor._from_array(np.array(batch, dtype=np.float64))",
      "return Tensor._from_array(np.array(batch, dtype=np.float32))", DATA,
      "Python floats collate to float32 (PyTorch: float64)"),
    # --- viz ------------------------------------------------------------------------------------
    M("viz_leaf_shows_previous_leaf_grad", "viz", GRAPH,
      "node.grad, node.grad_state = summarize(grad), \"known\"",
      "node.grad, node.grad_state = next((o.grad for o in reversed(tensors) if o.leaf and o.grad), "
      "summarize(grad)), \"known\"", VIZ, "a leaf's label shows another leaf's gradient"),
    M("viz_fan_out_terms_subtracted", "viz", LABELS, "terms = \" + \".join(", "terms = \" - \".join(",
      VIZ, "the sum of contributions printed as a difference"),
    M("viz_colour_scale_reversed", "viz", LABELS, "for bound, colour, _ in GRAD_BUCKETS:",
      "for bound, colour, _ in reversed(GRAD_BUCKETS):", VIZ, "every gradient coloured 'exploding'"),
    M("viz_three_digits", "viz", LABELS, "text = format(v, \".4g\")", "text = format(v, \".3g\")", VIZ,
      "numbers rounded to 3 digits"),
    M("viz_trace_totals_skipped", "viz", "viz/steps.py",
      "                t.grad, t.grad_state = summary, \"known\"\n",
      "                t.grad_state = \"known\"\n", VIZ, "a traced tensor's total gradient lost"),
    # --- io -------------------------------------------------------------------------------------
    M("checkpoint_byteorder_big", "io", "minitorch/serialization/torch_zip_writer.py",
      "_write_record(archive, \"byteorder\", sys.byteorder.encode())",
      "_write_record(archive, \"byteorder\", b\"big\")", IO, "files claim big-endian bytes"),
    M("checkpoint_reader_swaps_little", "io", "minitorch/serialization/torch_zip_reader.py",
      "        if self.big_endian:\n", "        if not self.big_endian:\n", IO,
      "little-endian storages byte-swapped on load"),
    M("checkpoint_view_offset_dropped", "io", "minitorch/serialization/torch_pickler.py",
      "return storage, start // itemsize, array.shape,", "return storage, 0, array.shape,", IO,
      "a saved view loses its offset into the storage"),
    M("safetensors_not_contiguous", "io", "minitorch/serialization/safetensors_format.py",
      "array = backend.to_numpy(tensor.detach()._data)",
      "array = backend.to_numpy(tensor.detach()._data).T", ("tests/test_safetensors.py",),
      "tensors saved transposed"),
    # --- compile (minitorch/compiler: the traced and replayed step) -------------------------------
    M("compile_dead_code_drops_writes", "compile", "minitorch/compiler/program.py",
      'if (line.kind in ("guard", "check", "effect") or line.writes or line.effect',
      'if (line.kind in ("guard", "check", "effect") or line.effect', COMPILE,
      "dead-code elimination drops in-place writes into the program's own arrays"),
    M("compile_single_trace_trusted", "compile", "minitorch/compiler/compiled.py",
      'difference = "first trace" if previous is None else previous.same_as(program)',
      'difference = None', COMPILE, "a program replayed after one trace: frozen values go unseen"),
    M("compile_numbers_frozen", "compile", "minitorch/compiler/symbolic.py",
      "if not trace.recording or not isinstance(value, (int, float)):",
      "if True:", COMPILE, "arithmetic on numbers read back (Adam's step count) frozen"),
    M("compile_guard_inverted", "compile", "minitorch/compiler/program.py",
      'return f"if {line.body}: {fail}"', 'return f"if not ({line.body}): {fail}"', COMPILE,
      "a branch not taken is checked as taken"),
    M("compile_new_grads_not_bound", "compile", "minitorch/compiler/trace.py",
      'effects.append((self.array_name(now._data), tensor, "_grad", now))', "pass", COMPILE,
      "the replay computes gradients but never gives them to the weights"),
    # --- fast (run with the accelerations installed) ----------------------------------------------
    M("fast_relu_grad_at_zero", "fast", "minitorch/fast/array_formulas.py",
      "keep = ~(result._data <= 0)  # passes", "keep = result._data >= 0  # passes",
      ("tests/test_fast.py",) + POINTWISE + FUNCTIONAL, "the fast ReLU passes the gradient at 0"),
    M("fast_sum_to_shape_only_leading_dims", "fast", "minitorch/fast/array_formulas.py",
      "if size == 1 and x.shape[lead + i] != 1)", "if False)", ("tests/test_fast.py",),
      "a broadcast gradient summed over the leading dims only, not the stretched ones"),
    M("fast_scatter_adds_in_reverse", "fast", "minitorch/fast/scatter.py",
      "np.add.at(target.reshape(-1), positions.reshape(-1), flat_values)",
      "np.add.at(target.reshape(-1), positions.reshape(-1)[::-1], flat_values[::-1])",
      ("tests/test_fast.py",), "the values added into each number in reverse order (the same "
      "sum up to rounding)"),
    M("fast_lstm_carry_missing_forget", "fast", "minitorch/fast/lstm_sequence.py",
      "            dc = dc * f[t]\n", "            dc = dc\n", ("tests/test_fast_lstm.py",),
      "the whole-sequence LSTM carries the cell gradient back without the forget gate"),
    M("fast_lstm_states_swapped", "fast", "minitorch/fast/lstm_sequence.py",
      "before, after = (1, 0) if reverse else (0, 1)", "before, after = (0, 1)",
      ("tests/test_fast_lstm.py",), "a reversed direction reads its states from the wrong end"),
]
