;; Matrix product on the tfjs wasm backend's heap, without packing:
;;
;;   C[M, N] = A[M, K] · B[K, N]        (float32, row-major, every pointer and stride in bytes)
;;
;; Each function computes tiles of MR rows x NR columns of C held in MR·NR/4 f32x4 accumulators, with k
;; innermost: per k, NR/4 vector loads of B's row k and, per tile row, A[i, k] broadcast to all lanes
;; (v128.load32_splat); acc += a · b, a multiply then an add. Where the runtime has relaxed SIMD, the loader
;; uses a variant compiled with every such pair fused into f32x4.relaxed_madd (compileWat.ts fusedMultiplyAdd).
;;
;;   gemm4x8  M % 4 == 0, N % 8 == 0   the main kernel
;;   gemm4x4  M % 4 == 0, N == 4        the last 4 columns when N % 8 == 4
;;   gemm1x8  any M,      N % 8 == 0    the last M % 4 rows
;;   gemm1x4  any M,      N == 4        the corner
;;
;; `gemm` (below) is the whole product: it blocks K so that a block of B stays in cache and splits each block
;; into these calls; `accumulate` != 0 adds to C (the later K blocks) instead of overwriting it. simdGemm
;; (simdKernels.ts) calls `gemm` once, or once per thread on a share of C's rows or columns.
;;
;; Parameters of every tile function: (A B C M K N lda ldb ldc accumulate), of gemm the first nine; N counts float columns.

(module
  ;; The backend's own memory: the loader compiles a `shared` variant when that memory is shared.
  (import "env" "memory" (memory 0))

  ;; The whole product: K in blocks such that a block of B (~256 KiB) stays in cache while every tile of A's rows
  ;; passes over it, each block split into the tile kernels above (the first block overwrites C, later ones add).
  ;; Blocking does not change any result: each element of C is one sum over k in order.
  (func (export "gemm")
    (param $A i32) (param $B i32) (param $C i32) (param $M i32) (param $K i32) (param $N i32)
    (param $lda i32) (param $ldb i32) (param $ldc i32)
    (local $KB i32) (local $k0 i32) (local $kn i32) (local $acc i32) (local $M4 i32) (local $N8 i32)
    (local $ak i32) (local $bk i32) (local $a1 i32) (local $c1 i32)
    (local.set $KB (i32.div_u (i32.const 65536) (local.get $N)))
    (if (i32.lt_u (local.get $KB) (i32.const 16)) (then (local.set $KB (i32.const 16))))
    (local.set $M4 (i32.and (local.get $M) (i32.const -4)))
    (local.set $N8 (i32.and (local.get $N) (i32.const -8)))
    (loop $blocks
      (local.set $kn (i32.sub (local.get $K) (local.get $k0)))
      (if (i32.gt_u (local.get $kn) (local.get $KB)) (then (local.set $kn (local.get $KB))))
      (local.set $acc (i32.ne (local.get $k0) (i32.const 0)))
      (local.set $ak (i32.add (local.get $A) (i32.mul (local.get $k0) (i32.const 4))))
      (local.set $bk (i32.add (local.get $B) (i32.mul (local.get $k0) (local.get $ldb))))
      (if (i32.and (i32.gt_u (local.get $M4) (i32.const 0)) (i32.gt_u (local.get $N8) (i32.const 0)))
        (then (call $gemm4x8 (local.get $ak) (local.get $bk) (local.get $C) (local.get $M4) (local.get $kn) (local.get $N8)
                (local.get $lda) (local.get $ldb) (local.get $ldc) (local.get $acc))))
      (if (i32.and (i32.gt_u (local.get $M4) (i32.const 0)) (i32.lt_u (local.get $N8) (local.get $N)))
        (then (call $gemm4x4 (local.get $ak) (i32.add (local.get $bk) (i32.mul (local.get $N8) (i32.const 4)))
                (i32.add (local.get $C) (i32.mul (local.get $N8) (i32.const 4))) (local.get $M4) (local.get $kn) (i32.const 4)
                (local.get $lda) (local.get $ldb) (local.get $ldc) (local.get $acc))))
      (if (i32.lt_u (local.get $M4) (local.get $M))
        (then
          (local.set $a1 (i32.add (local.get $ak) (i32.mul (local.get $M4) (local.get $lda))))
          (local.set $c1 (i32.add (local.get $C) (i32.mul (local.get $M4) (local.get $ldc))))
          (if (i32.gt_u (local.get $N8) (i32.const 0))
            (then (call $gemm1x8 (local.get $a1) (local.get $bk) (local.get $c1) (i32.sub (local.get $M) (local.get $M4)) (local.get $kn)
                    (local.get $N8) (local.get $lda) (local.get $ldb) (local.get $ldc) (local.get $acc))))
          (if (i32.lt_u (local.get $N8) (local.get $N))
            (then (call $gemm1x4 (local.get $a1) (i32.add (local.get $bk) (i32.mul (local.get $N8) (i32.const 4)))
                    (i32.add (local.get $c1) (i32.mul (local.get $N8) (i32.const 4))) (i32.sub (local.get $M) (local.get $M4)) (local.get $kn)
                    (i32.const 4) (local.get $lda) (local.get $ldb) (local.get $ldc) (local.get $acc))))))
      (local.set $k0 (i32.add (local.get $k0) (local.get $KB)))
      (br_if $blocks (i32.lt_u (local.get $k0) (local.get $K)))))

  (func $gemm4x8 (export "gemm4x8")
    (param $A i32) (param $B i32) (param $C i32) (param $M i32) (param $K i32) (param $N i32)
    (param $lda i32) (param $ldb i32) (param $ldc i32) (param $accumulate i32)
    (local $i i32) (local $j i32) (local $k i32) (local $nBytes i32)
    (local $rowA i32) (local $rowC i32) (local $pa i32) (local $pb i32)
    (local $lda2 i32) (local $lda3 i32)
    (local $c0 i32) (local $c1 i32) (local $c2 i32) (local $c3 i32)
    (local $a v128) (local $b0 v128) (local $b1 v128)
    ;; $accRQ: tile row R, columns 4Q..4Q+3
    (local $acc00 v128) (local $acc01 v128) (local $acc10 v128) (local $acc11 v128)
    (local $acc20 v128) (local $acc21 v128) (local $acc30 v128) (local $acc31 v128)
    (local.set $nBytes (i32.mul (local.get $N) (i32.const 4)))
    (local.set $lda2 (i32.add (local.get $lda) (local.get $lda)))
    (local.set $lda3 (i32.add (local.get $lda2) (local.get $lda)))
    (local.set $rowA (local.get $A))
    (local.set $rowC (local.get $C))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $M)))
        (local.set $j (i32.const 0))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.ge_u (local.get $j) (local.get $nBytes)))
            (local.set $c0 (i32.add (local.get $rowC) (local.get $j)))
            (local.set $c1 (i32.add (local.get $c0) (local.get $ldc)))
            (local.set $c2 (i32.add (local.get $c1) (local.get $ldc)))
            (local.set $c3 (i32.add (local.get $c2) (local.get $ldc)))
            (if (local.get $accumulate)
              (then
                (local.set $acc00 (v128.load (local.get $c0)))
                (local.set $acc01 (v128.load offset=16 (local.get $c0)))
                (local.set $acc10 (v128.load (local.get $c1)))
                (local.set $acc11 (v128.load offset=16 (local.get $c1)))
                (local.set $acc20 (v128.load (local.get $c2)))
                (local.set $acc21 (v128.load offset=16 (local.get $c2)))
                (local.set $acc30 (v128.load (local.get $c3)))
                (local.set $acc31 (v128.load offset=16 (local.get $c3))))
              (else
                (local.set $acc00 (v128.const i32x4 0 0 0 0))
                (local.set $acc01 (v128.const i32x4 0 0 0 0))
                (local.set $acc10 (v128.const i32x4 0 0 0 0))
                (local.set $acc11 (v128.const i32x4 0 0 0 0))
                (local.set $acc20 (v128.const i32x4 0 0 0 0))
                (local.set $acc21 (v128.const i32x4 0 0 0 0))
                (local.set $acc30 (v128.const i32x4 0 0 0 0))
                (local.set $acc31 (v128.const i32x4 0 0 0 0))))
            ;; k loop: $pa walks along A's tile row 0, $pb down B's columns j..j+7
            (local.set $pa (local.get $rowA))
            (local.set $pb (i32.add (local.get $B) (local.get $j)))
            (local.set $k (i32.const 0))
            (block $kDone
              (loop $ks
                (br_if $kDone (i32.ge_u (local.get $k) (local.get $K)))
                (local.set $b0 (v128.load (local.get $pb)))
                (local.set $b1 (v128.load offset=16 (local.get $pb)))
                (local.set $a (v128.load32_splat (local.get $pa)))
                (local.set $acc00 (f32x4.add (local.get $acc00) (f32x4.mul (local.get $a) (local.get $b0))))
                (local.set $acc01 (f32x4.add (local.get $acc01) (f32x4.mul (local.get $a) (local.get $b1))))
                (local.set $a (v128.load32_splat (i32.add (local.get $pa) (local.get $lda))))
                (local.set $acc10 (f32x4.add (local.get $acc10) (f32x4.mul (local.get $a) (local.get $b0))))
                (local.set $acc11 (f32x4.add (local.get $acc11) (f32x4.mul (local.get $a) (local.get $b1))))
                (local.set $a (v128.load32_splat (i32.add (local.get $pa) (local.get $lda2))))
                (local.set $acc20 (f32x4.add (local.get $acc20) (f32x4.mul (local.get $a) (local.get $b0))))
                (local.set $acc21 (f32x4.add (local.get $acc21) (f32x4.mul (local.get $a) (local.get $b1))))
                (local.set $a (v128.load32_splat (i32.add (local.get $pa) (local.get $lda3))))
                (local.set $acc30 (f32x4.add (local.get $acc30) (f32x4.mul (local.get $a) (local.get $b0))))
                (local.set $acc31 (f32x4.add (local.get $acc31) (f32x4.mul (local.get $a) (local.get $b1))))
                (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
                (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $ks)))
            (v128.store (local.get $c0) (local.get $acc00))
            (v128.store offset=16 (local.get $c0) (local.get $acc01))
            (v128.store (local.get $c1) (local.get $acc10))
            (v128.store offset=16 (local.get $c1) (local.get $acc11))
            (v128.store (local.get $c2) (local.get $acc20))
            (v128.store offset=16 (local.get $c2) (local.get $acc21))
            (v128.store (local.get $c3) (local.get $acc30))
            (v128.store offset=16 (local.get $c3) (local.get $acc31))
            (local.set $j (i32.add (local.get $j) (i32.const 32)))
            (br $cols)))
        ;; next 4 rows
        (local.set $rowA (i32.add (local.get $rowA) (i32.mul (local.get $lda) (i32.const 4))))
        (local.set $rowC (i32.add (local.get $rowC) (i32.mul (local.get $ldc) (i32.const 4))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rows))))

  (func $gemm4x4 (export "gemm4x4")
    (param $A i32) (param $B i32) (param $C i32) (param $M i32) (param $K i32) (param $N i32)
    (param $lda i32) (param $ldb i32) (param $ldc i32) (param $accumulate i32)
    (local $i i32) (local $j i32) (local $k i32) (local $nBytes i32)
    (local $rowA i32) (local $rowC i32) (local $pa i32) (local $pb i32)
    (local $lda2 i32) (local $lda3 i32)
    (local $c0 i32) (local $c1 i32) (local $c2 i32) (local $c3 i32)
    (local $b v128) (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128)
    (local.set $nBytes (i32.mul (local.get $N) (i32.const 4)))
    (local.set $lda2 (i32.add (local.get $lda) (local.get $lda)))
    (local.set $lda3 (i32.add (local.get $lda2) (local.get $lda)))
    (local.set $rowA (local.get $A))
    (local.set $rowC (local.get $C))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $M)))
        (local.set $j (i32.const 0))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.ge_u (local.get $j) (local.get $nBytes)))
            (local.set $c0 (i32.add (local.get $rowC) (local.get $j)))
            (local.set $c1 (i32.add (local.get $c0) (local.get $ldc)))
            (local.set $c2 (i32.add (local.get $c1) (local.get $ldc)))
            (local.set $c3 (i32.add (local.get $c2) (local.get $ldc)))
            (if (local.get $accumulate)
              (then
                (local.set $acc0 (v128.load (local.get $c0)))
                (local.set $acc1 (v128.load (local.get $c1)))
                (local.set $acc2 (v128.load (local.get $c2)))
                (local.set $acc3 (v128.load (local.get $c3))))
              (else
                (local.set $acc0 (v128.const i32x4 0 0 0 0))
                (local.set $acc1 (v128.const i32x4 0 0 0 0))
                (local.set $acc2 (v128.const i32x4 0 0 0 0))
                (local.set $acc3 (v128.const i32x4 0 0 0 0))))
            (local.set $pa (local.get $rowA))
            (local.set $pb (i32.add (local.get $B) (local.get $j)))
            (local.set $k (i32.const 0))
            (block $kDone
              (loop $ks
                (br_if $kDone (i32.ge_u (local.get $k) (local.get $K)))
                (local.set $b (v128.load (local.get $pb)))
                (local.set $acc0 (f32x4.add (local.get $acc0)
                  (f32x4.mul (v128.load32_splat (local.get $pa)) (local.get $b))))
                (local.set $acc1 (f32x4.add (local.get $acc1)
                  (f32x4.mul (v128.load32_splat (i32.add (local.get $pa) (local.get $lda))) (local.get $b))))
                (local.set $acc2 (f32x4.add (local.get $acc2)
                  (f32x4.mul (v128.load32_splat (i32.add (local.get $pa) (local.get $lda2))) (local.get $b))))
                (local.set $acc3 (f32x4.add (local.get $acc3)
                  (f32x4.mul (v128.load32_splat (i32.add (local.get $pa) (local.get $lda3))) (local.get $b))))
                (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
                (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $ks)))
            (v128.store (local.get $c0) (local.get $acc0))
            (v128.store (local.get $c1) (local.get $acc1))
            (v128.store (local.get $c2) (local.get $acc2))
            (v128.store (local.get $c3) (local.get $acc3))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $cols)))
        (local.set $rowA (i32.add (local.get $rowA) (i32.mul (local.get $lda) (i32.const 4))))
        (local.set $rowC (i32.add (local.get $rowC) (i32.mul (local.get $ldc) (i32.const 4))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rows))))

  (func $gemm1x8 (export "gemm1x8")
    (param $A i32) (param $B i32) (param $C i32) (param $M i32) (param $K i32) (param $N i32)
    (param $lda i32) (param $ldb i32) (param $ldc i32) (param $accumulate i32)
    (local $i i32) (local $j i32) (local $k i32) (local $nBytes i32)
    (local $rowA i32) (local $rowC i32) (local $pa i32) (local $pb i32) (local $c0 i32)
    (local $a v128) (local $acc0 v128) (local $acc1 v128)
    (local.set $nBytes (i32.mul (local.get $N) (i32.const 4)))
    (local.set $rowA (local.get $A))
    (local.set $rowC (local.get $C))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $M)))
        (local.set $j (i32.const 0))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.ge_u (local.get $j) (local.get $nBytes)))
            (local.set $c0 (i32.add (local.get $rowC) (local.get $j)))
            (if (local.get $accumulate)
              (then
                (local.set $acc0 (v128.load (local.get $c0)))
                (local.set $acc1 (v128.load offset=16 (local.get $c0))))
              (else
                (local.set $acc0 (v128.const i32x4 0 0 0 0))
                (local.set $acc1 (v128.const i32x4 0 0 0 0))))
            (local.set $pa (local.get $rowA))
            (local.set $pb (i32.add (local.get $B) (local.get $j)))
            (local.set $k (i32.const 0))
            (block $kDone
              (loop $ks
                (br_if $kDone (i32.ge_u (local.get $k) (local.get $K)))
                (local.set $a (v128.load32_splat (local.get $pa)))
                (local.set $acc0 (f32x4.add (local.get $acc0) (f32x4.mul (local.get $a) (v128.load (local.get $pb)))))
                (local.set $acc1 (f32x4.add (local.get $acc1) (f32x4.mul (local.get $a) (v128.load offset=16 (local.get $pb)))))
                (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
                (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $ks)))
            (v128.store (local.get $c0) (local.get $acc0))
            (v128.store offset=16 (local.get $c0) (local.get $acc1))
            (local.set $j (i32.add (local.get $j) (i32.const 32)))
            (br $cols)))
        (local.set $rowA (i32.add (local.get $rowA) (local.get $lda)))
        (local.set $rowC (i32.add (local.get $rowC) (local.get $ldc)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  (func $gemm1x4 (export "gemm1x4")
    (param $A i32) (param $B i32) (param $C i32) (param $M i32) (param $K i32) (param $N i32)
    (param $lda i32) (param $ldb i32) (param $ldc i32) (param $accumulate i32)
    (local $i i32) (local $j i32) (local $k i32) (local $nBytes i32)
    (local $rowA i32) (local $rowC i32) (local $pa i32) (local $pb i32) (local $c0 i32)
    (local $acc v128)
    (local.set $nBytes (i32.mul (local.get $N) (i32.const 4)))
    (local.set $rowA (local.get $A))
    (local.set $rowC (local.get $C))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $M)))
        (local.set $j (i32.const 0))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.ge_u (local.get $j) (local.get $nBytes)))
            (local.set $c0 (i32.add (local.get $rowC) (local.get $j)))
            (local.set $acc
              (if (result v128) (local.get $accumulate)
                (then (v128.load (local.get $c0)))
                (else (v128.const i32x4 0 0 0 0))))
            (local.set $pa (local.get $rowA))
            (local.set $pb (i32.add (local.get $B) (local.get $j)))
            (local.set $k (i32.const 0))
            (block $kDone
              (loop $ks
                (br_if $kDone (i32.ge_u (local.get $k) (local.get $K)))
                (local.set $acc (f32x4.add (local.get $acc)
                  (f32x4.mul (v128.load32_splat (local.get $pa)) (v128.load (local.get $pb)))))
                (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
                (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $ks)))
            (v128.store (local.get $c0) (local.get $acc))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $cols)))
        (local.set $rowA (i32.add (local.get $rowA) (local.get $lda)))
        (local.set $rowC (i32.add (local.get $rowC) (local.get $ldc)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))))
