;; MaxPoolGrad for 2x2 windows that do not overlap (strides >= 2) and lie inside the input, NHWC float32,
;; 4 channels at a time (C % 4 == 0). Per window, the first maximum in row-major order receives dy (a NaN
;; wins, as in the JS loop it replaces and on the cpu backend); a window whose maximum is NaN or -Infinity
;; passes nothing. dx is written, not accumulated (windows are disjoint); where no window reaches, the caller
;; zeroes it.
;;
;; Parameters: x, dy, dx (byte offsets), N, OH, OW (output size), then byte strides: C4 = C·4 (one pixel),
;; rowStride = W·C·4 (one input row), imageStride = H·W·C·4, hStep = strideH·W·C·4 (one output row of
;; windows), wStep = strideW·C·4 (one window to the next).

(module
  ;; The backend's own memory: the loader compiles a `shared` variant when that memory is shared.
  (import "env" "memory" (memory 0))

  (func (export "maxPoolGrad2x2")
    (param $x i32) (param $dy i32) (param $dx i32) (param $N i32) (param $OH i32) (param $OW i32)
    (param $C4 i32) (param $rowStride i32) (param $imageStride i32) (param $hStep i32) (param $wStep i32)
    (local $n i32) (local $oh i32) (local $ow i32) (local $ch i32)
    (local $image i32) (local $windowRow i32) (local $window i32) (local $at i32)
    ;; the window's four values: v0 v1 on the top row, v2 v3 below
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    ;; $best: running maximum; $tookK: lanes where vK replaced it (so far)
    (local $best v128) (local $took1 v128) (local $took2 v128) (local $took3 v128)
    (local $grad v128)
    (block $imagesDone
      (loop $images
        (br_if $imagesDone (i32.ge_u (local.get $n) (local.get $N)))
        (local.set $oh (i32.const 0))
        (local.set $windowRow (local.get $image))
        (block $rowsDone
          (loop $rows
            (br_if $rowsDone (i32.ge_u (local.get $oh) (local.get $OH)))
            (local.set $ow (i32.const 0))
            (local.set $window (local.get $windowRow))
            (block $colsDone
              (loop $cols
                (br_if $colsDone (i32.ge_u (local.get $ow) (local.get $OW)))
                (local.set $ch (i32.const 0))
                (block $channelsDone
                  (loop $channels
                    (br_if $channelsDone (i32.ge_u (local.get $ch) (local.get $C4)))
                    (local.set $at (i32.add (local.get $window) (local.get $ch)))
                    (local.set $v0 (v128.load (i32.add (local.get $x) (local.get $at))))
                    (local.set $v1 (v128.load (i32.add (i32.add (local.get $x) (local.get $at)) (local.get $C4))))
                    (local.set $v2 (v128.load (i32.add (i32.add (local.get $x) (local.get $at)) (local.get $rowStride))))
                    (local.set $v3 (v128.load (i32.add (i32.add (i32.add (local.get $x) (local.get $at)) (local.get $rowStride)) (local.get $C4))))
                    ;; vK takes over where it is greater than the maximum so far or that maximum is NaN
                    (local.set $best (local.get $v0))
                    (local.set $took1 (v128.or (f32x4.gt (local.get $v1) (local.get $best)) (f32x4.ne (local.get $best) (local.get $best))))
                    (local.set $best (v128.bitselect (local.get $v1) (local.get $best) (local.get $took1)))
                    (local.set $took2 (v128.or (f32x4.gt (local.get $v2) (local.get $best)) (f32x4.ne (local.get $best) (local.get $best))))
                    (local.set $best (v128.bitselect (local.get $v2) (local.get $best) (local.get $took2)))
                    (local.set $took3 (v128.or (f32x4.gt (local.get $v3) (local.get $best)) (f32x4.ne (local.get $best) (local.get $best))))
                    (local.set $best (v128.bitselect (local.get $v3) (local.get $best) (local.get $took3)))
                    ;; dy where the maximum is a number above -Infinity, else 0
                    (local.set $grad (v128.and (v128.load (local.get $dy))
                      (v128.and
                        (f32x4.eq (local.get $best) (local.get $best))
                        (f32x4.ne (local.get $best) (v128.const f32x4 -inf -inf -inf -inf)))))
                    ;; the winner is the last position that took over: v3 if took3, else v2 if took2, ...
                    (v128.store (i32.add (local.get $dx) (local.get $at))
                      (v128.andnot (local.get $grad) (v128.or (v128.or (local.get $took1) (local.get $took2)) (local.get $took3))))
                    (v128.store (i32.add (i32.add (local.get $dx) (local.get $at)) (local.get $C4))
                      (v128.and (v128.andnot (local.get $grad) (v128.or (local.get $took2) (local.get $took3))) (local.get $took1)))
                    (v128.store (i32.add (i32.add (local.get $dx) (local.get $at)) (local.get $rowStride))
                      (v128.and (v128.andnot (local.get $grad) (local.get $took3)) (local.get $took2)))
                    (v128.store (i32.add (i32.add (i32.add (local.get $dx) (local.get $at)) (local.get $rowStride)) (local.get $C4))
                      (v128.and (local.get $grad) (local.get $took3)))
                    ;; dy is dense [N, OH, OW, C]: the next 4 channels
                    (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
                    (local.set $ch (i32.add (local.get $ch) (i32.const 16)))
                    (br $channels)))
                (local.set $window (i32.add (local.get $window) (local.get $wStep)))
                (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
                (br $cols)))
            (local.set $windowRow (i32.add (local.get $windowRow) (local.get $hStep)))
            (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
            (br $rows)))
        (local.set $image (i32.add (local.get $image) (local.get $imageStride)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $images)))))
