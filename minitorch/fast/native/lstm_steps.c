/* One time step of an LSTM layer in one pass over its numbers (float32): what PyTorch's
 * oneDNN layer does per step, and what ~12 NumPy calls do in minitorch/fast/lstm_sequence.py.
 *
 * The arithmetic is NumPy's, operation for operation: every product and sum is rounded on
 * its own (built with -ffp-contract=off: no fused multiply-add) in the order the NumPy code
 * and LSTMGates write it. Only exp and tanh differ: glibc's vector versions (libmvec, within
 * a few ulp; the compiler calls them 8 numbers at a time), not NumPy's, so results agree
 * with NumPy's to rounding, not to the bit.
 *
 * Layout: gates and activations are rows of 4H numbers [i | f | g | o] per batch row; the
 * states are rows of H. Every array is C-contiguous except grad_output's rows (go_row apart).
 *
 * Python calls the two functions at the end with the whole sequence's arrays and a step
 * number (ctypes.PyDLL: they hold the GIL, and an error they set is raised); they read the
 * arrays through the buffer protocol: about 3 us a call beyond its arithmetic, where getting
 * eight addresses through ndarray.ctypes alone costs ~11 and a view of each step's part
 * ~0.2 us apiece.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

/* the vector versions of expf and tanhf exist (libmvec): let the loops below call them */
__attribute__((simd("notinbranch"))) float expf(float);
__attribute__((simd("notinbranch"))) float tanhf(float);

/* gates_t = (h_{t-1} W_hh^T + b_hh) + gi_t, written over `product` (h_{t-1} W_hh^T, bias may
 * be NULL); activations = [s(i) s(f) tanh(g) s(o)] with s(x) = 1 / (1 + exp(-x));
 * c_t = s(f) c_{t-1} + s(i) tanh(g);  h_t = s(o) tanh(c_t) (tanh(c_t) kept for the backward) */
static void forward_step(float *product, const float *bias, const float *gi, const float *c_prev,
                       float *activations, float *c, float *tanh_c, float *h,
                       ptrdiff_t batch, ptrdiff_t hidden) {
    const ptrdiff_t H = hidden;
    for (ptrdiff_t n = 0; n < batch; n++) {
        float *gates = product + n * 4 * H, *a = activations + n * 4 * H;
        const float *x = gi + n * 4 * H, *b = bias ? bias + n * 4 * H : NULL;
        if (b) {
            #pragma omp simd
            for (ptrdiff_t j = 0; j < 4 * H; j++) gates[j] = (gates[j] + b[j]) + x[j];
        } else {
            #pragma omp simd
            for (ptrdiff_t j = 0; j < 4 * H; j++) gates[j] = gates[j] + x[j];
        }
        #pragma omp simd
        for (ptrdiff_t j = 0; j < 2 * H; j++) a[j] = 1.0f / (1.0f + expf(-gates[j]));  /* i, f */
        #pragma omp simd
        for (ptrdiff_t j = 2 * H; j < 3 * H; j++) a[j] = tanhf(gates[j]);               /* g */
        #pragma omp simd
        for (ptrdiff_t j = 3 * H; j < 4 * H; j++) a[j] = 1.0f / (1.0f + expf(-gates[j]));  /* o */
        const float *cp = c_prev + n * H;
        float *cn = c + n * H, *tc = tanh_c + n * H, *hn = h + n * H;
        #pragma omp simd
        for (ptrdiff_t j = 0; j < H; j++) {
            const float cell = a[H + j] * cp[j] + a[j] * a[2 * H + j];
            const float t = tanhf(cell);
            cn[j] = cell;
            tc[j] = t;
            hn[j] = a[3 * H + j] * t;
        }
    }
}

/* Backward through one step, LSTMGates' formulas bracketed as it brackets them:
 * dh = dL/dh_t (grad_output_t + the carry dh_carry),  dc = dc (carried) + dh s(o) (1 - tanh(c)^2),
 * d gates = [dc (tanh(g) s(i)) (1 - s(i)) | dc (c_{t-1} s(f)) (1 - s(f)) |
 *            dc s(i) (1 - tanh(g)^2)       | dh (tanh(c) s(o)) (1 - s(o))],
 * and dc carried to step t-1 = dc s(f), written over dc. (dh_carry for step t-1 is
 * d gates W_hh: a matrix product, left to the caller.) */
static void backward_step(const float *grad_output, ptrdiff_t go_row, const float *dh_carry,
                        float *dc, const float *activations, const float *tanh_c,
                        const float *c_prev, float *d_gates, ptrdiff_t batch, ptrdiff_t hidden) {
    const ptrdiff_t H = hidden;
    for (ptrdiff_t n = 0; n < batch; n++) {
        const float *a = activations + n * 4 * H, *tc = tanh_c + n * H, *cp = c_prev + n * H;
        const float *go = grad_output + n * go_row, *carry = dh_carry + n * H;
        float *dcn = dc + n * H, *d = d_gates + n * 4 * H;
        #pragma omp simd
        for (ptrdiff_t j = 0; j < H; j++) {
            const float i = a[j], f = a[H + j], g = a[2 * H + j], o = a[3 * H + j], t = tc[j];
            const float dh = go[j] + carry[j];
            const float dcell = dcn[j] + dh * (o * (1.0f - t * t));
            d[j] = dcell * ((g * i) * (1.0f - i));
            d[H + j] = dcell * ((cp[j] * f) * (1.0f - f));
            d[2 * H + j] = dcell * (i * (1.0f - g * g));
            d[3 * H + j] = dh * ((t * o) * (1.0f - o));
            dcn[j] = dcell * f;
        }
    }
}

/* --- the functions Python calls -------------------------------------------------------------- */

#define ARRAYS 8

/* The numbers of `array`, a float32 NumPy array of the given shape (2 or 3 dims), held in
 * views[*held] until release(): C-contiguous, or, where `strides` is given, any layout whose
 * last dim is contiguous (its strides, in numbers, are written there). NULL with ValueError
 * set when it is not such an array. */
static float *numbers(PyObject *array, Py_buffer *views, int *held, int ndim,
                      const Py_ssize_t *shape, int writable, const char *name,
                      Py_ssize_t *strides) {
    Py_buffer *view = &views[*held];
    int flags = PyBUF_FORMAT | (strides ? PyBUF_STRIDES : PyBUF_C_CONTIGUOUS)
                | (writable ? PyBUF_WRITABLE : 0);
    int fits = PyObject_GetBuffer(array, view, flags) == 0;
    if (fits) {
        (*held)++;
        fits = view->itemsize == 4 && strcmp(view->format, "f") == 0 && view->ndim == ndim;
        for (int d = 0; fits && d < ndim; d++)  /* (a dim of size 1 is never stepped along:
                                                   NumPy exports any stride for it) */
            fits = view->shape[d] == shape[d]
                   && (!strides || shape[d] == 1
                       || (view->strides[d] % 4 == 0 && (d < ndim - 1 || view->strides[d] == 4)));
    }
    if (!fits) {  /* (NumPy's BufferError, if any, replaced by what was expected) */
        PyErr_Clear();
        if (ndim == 3)
            PyErr_Format(PyExc_ValueError, "%s: expected a %s%sfloat32 array of shape "
                         "(%zd, %zd, %zd)%s", name, writable ? "writable " : "",
                         strides ? "" : "C-contiguous ", shape[0], shape[1], shape[2],
                         strides ? " whose last dim is contiguous" : "");
        else
            PyErr_Format(PyExc_ValueError, "%s: expected a %s%sfloat32 array of shape "
                         "(%zd, %zd)", name, writable ? "writable " : "",
                         strides ? "" : "C-contiguous ", shape[0], shape[1]);
        return NULL;
    }
    for (int d = 0; strides && d < ndim; d++)
        strides[d] = view->strides[d] / 4;
    return view->buf;
}

static void release(Py_buffer *views, int held) {
    for (int k = 0; k < held; k++)
        PyBuffer_Release(&views[k]);
}

/* One argument: the array, what it must be, and where its numbers go. */
struct argument {
    PyObject *array;
    int ndim;
    const Py_ssize_t *shape;
    int writable, may_be_none;
    const char *name;
    float **numbers;
    Py_ssize_t *strides;  /* NULL: C-contiguous; else any layout, its strides written here */
};

/* Every argument's numbers (held in views until release()); 0 with ValueError set at the
 * first that is not what it must be. */
static int read_arguments(struct argument *arguments, int count, Py_buffer *views, int *held) {
    for (int k = 0; k < count; k++) {
        struct argument *arg = &arguments[k];
        *arg->numbers = NULL;
        if (arg->may_be_none && arg->array == Py_None)
            continue;
        *arg->numbers = numbers(arg->array, views, held, arg->ndim, arg->shape, arg->writable,
                                arg->name, arg->strides);
        if (*arg->numbers == NULL)
            return 0;
    }
    return 1;
}

static int check_step(Py_ssize_t t, Py_ssize_t steps, Py_ssize_t before) {
    if (t < 0 || t >= steps || before < 0 || before > 1) {
        PyErr_Format(PyExc_ValueError, "step %zd of %zd (before %zd): out of range", t, steps,
                     before);
        return 0;
    }
    return 1;
}

/* lstm_steps.forward_step(t, gates, bias or None, gi, c_states, activations, tanh_c,
 * h_states): step t of a sequence of `steps` steps, gates (N, 4H) holding h_{t-1} W_hh^T;
 * gi, activations (steps, N, 4H); tanh_c (steps, N, H); c_states, h_states (steps + 1, N, H),
 * the step reading its states at t + before and writing them at t + 1 - before. */
void lstm_forward_step(Py_ssize_t t, PyObject *gates, PyObject *bias, PyObject *gi,
                       PyObject *c_states, PyObject *activations, PyObject *tanh_c,
                       PyObject *h_states, Py_ssize_t steps, Py_ssize_t batch,
                       Py_ssize_t hidden, Py_ssize_t before) {
    if (!check_step(t, steps, before))
        return;
    Py_buffer views[ARRAYS];
    int held = 0;
    const Py_ssize_t N = batch, H = hidden, after = 1 - before;
    const Py_ssize_t rows[] = {N, 4 * H}, sequence[] = {steps, N, 4 * H},
                     per_step[] = {steps, N, H}, states[] = {steps + 1, N, H};
    float *p, *b, *x, *c, *a, *tc, *h;
    struct argument arguments[] = {
        {gates, 2, rows, 1, 0, "gates", &p, NULL}, {bias, 2, rows, 0, 1, "bias", &b, NULL},
        {gi, 3, sequence, 0, 0, "gi", &x, NULL}, {c_states, 3, states, 1, 0, "c_states", &c, NULL},
        {activations, 3, sequence, 1, 0, "activations", &a, NULL},
        {tanh_c, 3, per_step, 1, 0, "tanh_c", &tc, NULL},
        {h_states, 3, states, 1, 0, "h_states", &h, NULL}};
    if (read_arguments(arguments, 7, views, &held))
        forward_step(p, b, x + t * N * 4 * H, c + (t + before) * N * H, a + t * N * 4 * H,
                     c + (t + after) * N * H, tc + t * N * H, h + (t + after) * N * H, N, H);
    release(views, held);
}

/* lstm_steps.backward_step(t, grad_output, dh_carry, dc, activations, tanh_c, c_before,
 * d_gates): step t's gate gradients into d_gates[t] and dc carried to the step before;
 * grad_output (steps, N, H) in any layout whose last dim is contiguous, dh_carry and dc
 * (N, H), activations and d_gates (steps, N, 4H), tanh_c and c_before (steps, N, H). */
void lstm_backward_step(Py_ssize_t t, PyObject *grad_output, PyObject *dh_carry, PyObject *dc,
                        PyObject *activations, PyObject *tanh_c, PyObject *c_before,
                        PyObject *d_gates, Py_ssize_t steps, Py_ssize_t batch,
                        Py_ssize_t hidden) {
    if (!check_step(t, steps, 0))
        return;
    Py_buffer views[ARRAYS];
    int held = 0;
    const Py_ssize_t N = batch, H = hidden;
    const Py_ssize_t rows[] = {N, H}, sequence[] = {steps, N, 4 * H}, per_step[] = {steps, N, H};
    Py_ssize_t go_strides[3];
    float *go, *carry, *d_c, *a, *tc, *cb, *d;
    struct argument arguments[] = {
        {grad_output, 3, per_step, 0, 0, "grad_output", &go, go_strides},
        {dh_carry, 2, rows, 0, 0, "dh_carry", &carry, NULL}, {dc, 2, rows, 1, 0, "dc", &d_c, NULL},
        {activations, 3, sequence, 0, 0, "activations", &a, NULL},
        {tanh_c, 3, per_step, 0, 0, "tanh_c", &tc, NULL},
        {c_before, 3, per_step, 0, 0, "c_before", &cb, NULL},
        {d_gates, 3, sequence, 1, 0, "d_gates", &d, NULL}};
    if (read_arguments(arguments, 7, views, &held))
        backward_step(go + t * go_strides[0], go_strides[1], carry, d_c, a + t * N * 4 * H,
                      tc + t * N * H, cb + t * N * H, d + t * N * 4 * H, N, H);
    release(views, held);
}
