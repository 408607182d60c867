;; im2col for the convolution filter gradient (trainingKernels.ts): every output position's receptive field of
;; x [N, H, W, C] (NHWC float32), zeros where the window hangs over the padding. Position r = (n·OH + oh)·OW + ow,
;; patch element k = (kh·fw + kw)·C + c. Both exports fill positions r0 .. r1-1 only, so a call can be split by
;; positions over threads (simdKernels.ts); they copy values, so any split gives the same matrix.
;;
;;  - im2colRows: P [N·OH·OW, K], one row per position (K = fh·fw·C);
;;  - im2colCols: Pᵀ [K, NP], one column per position (NP = N·OH·OW: the row length).
;;
;; Parameters after x, p, r0, r1: the input size H, W, C, output size OH, OW, filter fh, fw, strides sh, sw,
;; dilations dh, dw, the top and left padding pt, pl; im2colCols takes NP last.

(module
  ;; The backend's own memory: the loader compiles a `shared` variant when that memory is shared.
  (import "env" "memory" (memory 0))

  (func (export "im2colRows")
    (param $x i32) (param $p i32) (param $r0 i32) (param $r1 i32)
    (param $H i32) (param $W i32) (param $C i32) (param $OH i32) (param $OW i32) (param $fh i32) (param $fw i32)
    (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32) (param $pt i32) (param $pl i32)
    (local $r i32) (local $n i32) (local $oh i32) (local $ow i32) (local $ih0 i32) (local $iw0 i32)
    (local $kh i32) (local $kw i32) (local $ih i32) (local $iw i32) (local $dst i32) (local $row i32)
    (local $C4 i32) (local $windowRow i32)
    (local.set $C4 (i32.shl (local.get $C) (i32.const 2)))
    ;; bytes of one window row
    (local.set $windowRow (i32.mul (local.get $fw) (local.get $C4)))
    (local.set $dst (i32.add (local.get $p)
      (i32.mul (local.get $r0) (i32.mul (local.get $fh) (local.get $windowRow)))))
    (local.set $r (local.get $r0))
    (block $done
      (loop $positions
        (br_if $done (i32.ge_u (local.get $r) (local.get $r1)))
        (local.set $ow (i32.rem_u (local.get $r) (local.get $OW)))
        (local.set $oh (i32.rem_u (i32.div_u (local.get $r) (local.get $OW)) (local.get $OH)))
        (local.set $n (i32.div_u (local.get $r) (i32.mul (local.get $OW) (local.get $OH))))
        (local.set $ih0 (i32.sub (i32.mul (local.get $oh) (local.get $sh)) (local.get $pt)))
        (local.set $iw0 (i32.sub (i32.mul (local.get $ow) (local.get $sw)) (local.get $pl)))
        (local.set $kh (i32.const 0))
        (block $rowsDone
          (loop $rows
            (br_if $rowsDone (i32.ge_u (local.get $kh) (local.get $fh)))
            (local.set $ih (i32.add (local.get $ih0) (i32.mul (local.get $kh) (local.get $dh))))
            (if (i32.ge_u (local.get $ih) (local.get $H))
              (then
                ;; above or below the input (unsigned: negative too): a row of zeros
                (memory.fill (local.get $dst) (i32.const 0) (local.get $windowRow))
                (local.set $dst (i32.add (local.get $dst) (local.get $windowRow))))
              (else
                ;; x[n, ih, 0, 0]
                (local.set $row (i32.add (local.get $x)
                  (i32.mul (i32.add (i32.mul (local.get $n) (local.get $H)) (local.get $ih)) (i32.mul (local.get $W) (local.get $C4)))))
                (if (i32.and (i32.eq (local.get $dw) (i32.const 1))
                      (i32.and (i32.ge_s (local.get $iw0) (i32.const 0))
                               (i32.le_s (i32.add (local.get $iw0) (local.get $fw)) (local.get $W))))
                  (then
                    ;; the whole window row is contiguous in x
                    (memory.copy (local.get $dst) (i32.add (local.get $row) (i32.mul (local.get $iw0) (local.get $C4))) (local.get $windowRow))
                    (local.set $dst (i32.add (local.get $dst) (local.get $windowRow))))
                  (else
                    (local.set $kw (i32.const 0))
                    (block $colsDone
                      (loop $cols
                        (br_if $colsDone (i32.ge_u (local.get $kw) (local.get $fw)))
                        (local.set $iw (i32.add (local.get $iw0) (i32.mul (local.get $kw) (local.get $dw))))
                        (if (i32.ge_u (local.get $iw) (local.get $W))
                          (then (memory.fill (local.get $dst) (i32.const 0) (local.get $C4)))
                          (else (memory.copy (local.get $dst) (i32.add (local.get $row) (i32.mul (local.get $iw) (local.get $C4))) (local.get $C4))))
                        (local.set $dst (i32.add (local.get $dst) (local.get $C4)))
                        (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
                        (br $cols)))))))
            (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
            (br $rows)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $positions))))

  (func (export "im2colCols")
    (param $x i32) (param $p i32) (param $r0 i32) (param $r1 i32)
    (param $H i32) (param $W i32) (param $C i32) (param $OH i32) (param $OW i32) (param $fh i32) (param $fw i32)
    (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32) (param $pt i32) (param $pl i32) (param $NP i32)
    (local $r i32) (local $n i32) (local $oh i32) (local $ow i32) (local $ih0 i32) (local $iw0 i32)
    (local $kh i32) (local $kw i32) (local $ih i32) (local $iw i32) (local $c i32) (local $dst i32) (local $src i32)
    (local $step i32) (local $rowOk i32)
    ;; one row of Pᵀ, in bytes
    (local.set $step (i32.shl (local.get $NP) (i32.const 2)))
    (local.set $r (local.get $r0))
    (block $done
      (loop $positions
        (br_if $done (i32.ge_u (local.get $r) (local.get $r1)))
        (local.set $ow (i32.rem_u (local.get $r) (local.get $OW)))
        (local.set $oh (i32.rem_u (i32.div_u (local.get $r) (local.get $OW)) (local.get $OH)))
        (local.set $n (i32.div_u (local.get $r) (i32.mul (local.get $OW) (local.get $OH))))
        (local.set $ih0 (i32.sub (i32.mul (local.get $oh) (local.get $sh)) (local.get $pt)))
        (local.set $iw0 (i32.sub (i32.mul (local.get $ow) (local.get $sw)) (local.get $pl)))
        ;; Pᵀ[0, r]
        (local.set $dst (i32.add (local.get $p) (i32.shl (local.get $r) (i32.const 2))))
        (local.set $kh (i32.const 0))
        (block $rowsDone
          (loop $rows
            (br_if $rowsDone (i32.ge_u (local.get $kh) (local.get $fh)))
            (local.set $ih (i32.add (local.get $ih0) (i32.mul (local.get $kh) (local.get $dh))))
            (local.set $rowOk (i32.lt_u (local.get $ih) (local.get $H)))
            (local.set $kw (i32.const 0))
            (block $colsDone
              (loop $cols
                (br_if $colsDone (i32.ge_u (local.get $kw) (local.get $fw)))
                (local.set $iw (i32.add (local.get $iw0) (i32.mul (local.get $kw) (local.get $dw))))
                (local.set $c (i32.const 0))
                (if (i32.and (local.get $rowOk) (i32.lt_u (local.get $iw) (local.get $W)))
                  (then
                    ;; x[n, ih, iw, 0]
                    (local.set $src (i32.add (local.get $x) (i32.shl
                      (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $H)) (local.get $ih)) (local.get $W)) (local.get $iw)) (local.get $C))
                      (i32.const 2))))
                    (block $chDone
                      (loop $ch
                        (br_if $chDone (i32.ge_u (local.get $c) (local.get $C)))
                        (f32.store (local.get $dst) (f32.load (local.get $src)))
                        (local.set $src (i32.add (local.get $src) (i32.const 4)))
                        (local.set $dst (i32.add (local.get $dst) (local.get $step)))
                        (local.set $c (i32.add (local.get $c) (i32.const 1)))
                        (br $ch))))
                  (else
                    (block $zDone
                      (loop $z
                        (br_if $zDone (i32.ge_u (local.get $c) (local.get $C)))
                        (f32.store (local.get $dst) (f32.const 0))
                        (local.set $dst (i32.add (local.get $dst) (local.get $step)))
                        (local.set $c (i32.add (local.get $c) (i32.const 1)))
                        (br $z)))))
                (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
                (br $cols)))
            (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
            (br $rows)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $positions)))))
