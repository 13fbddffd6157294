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
 * Python calls the two functions at the end, with NumPy arrays (ctypes.PyDLL: they hold the
 * GIL, and an error they set is raised); they read the arrays through the buffer protocol,
 * 1-2 us a call where getting eight addresses through ndarray.ctypes costs ~11.
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

/* The numbers of `array`, a float32 NumPy array of rows x cols whose rows are each contiguous
 * (and all of it C-contiguous unless rows_apart), held in views[*held] until release(); NULL
 * with ValueError set when it is not such an array. */
static float *numbers(PyObject *array, Py_buffer *views, int *held, Py_ssize_t rows,
                      Py_ssize_t cols, int writable, int rows_apart, const char *name,
                      Py_ssize_t *row_stride) {
    Py_buffer *view = &views[*held];
    int flags = PyBUF_FORMAT | (rows_apart ? PyBUF_STRIDES : PyBUF_C_CONTIGUOUS)
                | (writable ? PyBUF_WRITABLE : 0);
    int fits = PyObject_GetBuffer(array, view, flags) == 0;
    if (fits) {
        (*held)++;
        fits = view->itemsize == 4 && strcmp(view->format, "f") == 0 && view->ndim == 2
               && view->shape[0] == rows && view->shape[1] == cols
               && (!rows_apart || (view->strides[1] == 4 && view->strides[0] % 4 == 0));
    }
    if (!fits) {  /* (NumPy's BufferError, if any, replaced by what was expected) */
        PyErr_Clear();
        PyErr_Format(PyExc_ValueError, "%s: expected a %sfloat32 array of shape (%zd, %zd)%s",
                     name, rows_apart ? "" : "C-contiguous ", rows, cols,
                     rows_apart ? " with rows of contiguous numbers" : "");
        return NULL;
    }
    if (row_stride)
        *row_stride = rows_apart ? view->strides[0] / 4 : cols;
    return view->buf;
}

static void release(Py_buffer *views, int held) {
    for (int k = 0; k < held; k++)
        PyBuffer_Release(&views[k]);
}

/* lstm_steps.forward_step(product, bias or None, gi_t, c_prev, activations_t, c, tanh_c, h),
 * with product's shape (batch, 4 * hidden) */
void lstm_forward_step(PyObject *product, PyObject *bias, PyObject *gi, PyObject *c_prev,
                       PyObject *activations, PyObject *c, PyObject *tanh_c, PyObject *h,
                       Py_ssize_t batch, Py_ssize_t hidden) {
    Py_buffer views[ARRAYS];
    int held = 0;
    const Py_ssize_t G = 4 * hidden;
    float *p = numbers(product, views, &held, batch, G, 1, 0, "product", NULL);
    float *b = NULL;
    int ok = p != NULL;
    if (ok && bias != Py_None)
        ok = (b = numbers(bias, views, &held, batch, G, 0, 0, "bias", NULL)) != NULL;
    float *x = ok ? numbers(gi, views, &held, batch, G, 0, 0, "gi_t", NULL) : NULL;
    float *cp = x ? numbers(c_prev, views, &held, batch, hidden, 0, 0, "c_prev", NULL) : NULL;
    float *a = cp ? numbers(activations, views, &held, batch, G, 1, 0, "activations_t", NULL)
                  : NULL;
    float *cn = a ? numbers(c, views, &held, batch, hidden, 1, 0, "c", NULL) : NULL;
    float *tc = cn ? numbers(tanh_c, views, &held, batch, hidden, 1, 0, "tanh_c", NULL) : NULL;
    float *hn = tc ? numbers(h, views, &held, batch, hidden, 1, 0, "h", NULL) : NULL;
    if (hn)
        forward_step(p, b, x, cp, a, cn, tc, hn, batch, hidden);
    release(views, held);
}

/* lstm_steps.backward_step(grad_output_t, dh_carry, dc, activations_t, tanh_c_t, c_prev_t,
 *                          d_gates_t), with dc's shape (batch, hidden) */
void lstm_backward_step(PyObject *grad_output, PyObject *dh_carry, PyObject *dc,
                        PyObject *activations, PyObject *tanh_c, PyObject *c_prev,
                        PyObject *d_gates, Py_ssize_t batch, Py_ssize_t hidden) {
    Py_buffer views[ARRAYS];
    int held = 0;
    Py_ssize_t go_row = 0;
    float *go = numbers(grad_output, views, &held, batch, hidden, 0, 1, "grad_output_t", &go_row);
    float *carry = go ? numbers(dh_carry, views, &held, batch, hidden, 0, 0, "dh_carry", NULL)
                      : NULL;
    float *d_c = carry ? numbers(dc, views, &held, batch, hidden, 1, 0, "dc", NULL) : NULL;
    float *a = d_c ? numbers(activations, views, &held, batch, 4 * hidden, 0, 0,
                             "activations_t", NULL) : NULL;
    float *tc = a ? numbers(tanh_c, views, &held, batch, hidden, 0, 0, "tanh_c_t", NULL) : NULL;
    float *cp = tc ? numbers(c_prev, views, &held, batch, hidden, 0, 0, "c_prev_t", NULL) : NULL;
    float *d = cp ? numbers(d_gates, views, &held, batch, 4 * hidden, 1, 0, "d_gates_t", NULL)
                  : NULL;
    if (d)
        backward_step(go, go_row, carry, d_c, a, tc, cp, d, batch, hidden);
    release(views, held);
}
