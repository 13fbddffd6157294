"""Chapter 12 of your framework: the cells marked #@save, as you last ran them."""


#@save
def naive_matmul(thread, A, B, C):
    """C = A @ B, one thread per element of C (A is (M, K), B is (K, N), C is (M, N))."""
    M, K = A.shape
    N = B.shape[1]
    row = thread.blockIdx.y * thread.blockDim.y + thread.threadIdx.y
    col = thread.blockIdx.x * thread.blockDim.x + thread.threadIdx.x
    ### BEGIN SOLUTION
    if row < M and col < N:
        acc = 0.0
        for k in range(K):
            acc += A[row, k] * B[k, col]
        C[row, col] = acc
    ### END SOLUTION


#@save
def tiled_matmul(thread, A, B, C):
    """C = A @ B on TILE x TILE blocks, through TILE x TILE tiles of A and B in shared memory."""
    M, K = A.shape
    N = B.shape[1]
    TILE = thread.blockDim.x
    tx, ty = thread.threadIdx.x, thread.threadIdx.y
    row = thread.blockIdx.y * TILE + ty
    col = thread.blockIdx.x * TILE + tx
    tile_a = thread.shared("tile_a", (TILE, TILE))
    tile_b = thread.shared("tile_b", (TILE, TILE))
    acc = 0.0
    for start in range(0, K, TILE):
        ### BEGIN SOLUTION
        tile_a[ty, tx] = A[row, start + tx] if row < M and start + tx < K else 0.0
        tile_b[ty, tx] = B[start + ty, col] if start + ty < K and col < N else 0.0
        yield  # __syncthreads(): the tiles are loaded
        for k in range(TILE):
            acc += tile_a[ty, k] * tile_b[k, tx]
        yield  # __syncthreads(): every thread is done with the tiles
        ### END SOLUTION
    if row < M and col < N:
        C[row, col] = acc


#@save
def block_sum(thread, x, partial):
    """partial[blockIdx.x] = the sum of this block's blockDim.x elements of x, by a tree
    reduction in shared memory (blockDim.x is a power of 2)."""
    tid = thread.threadIdx.x
    i = thread.blockIdx.x * thread.blockDim.x + tid
    cache = thread.shared("cache", (thread.blockDim.x,))
    ### BEGIN SOLUTION
    cache[tid] = x[i] if i < x.shape[0] else 0.0
    yield  # __syncthreads(): every number is in shared memory
    stride = thread.blockDim.x // 2
    while stride > 0:
        if tid < stride:
            cache[tid] += cache[tid + stride]
        yield  # __syncthreads(): this round's sums are written
        stride //= 2
    if tid == 0:
        partial[thread.blockIdx.x] = cache[0]
    ### END SOLUTION
