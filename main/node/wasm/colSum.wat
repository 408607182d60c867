;; Column sums of a float32 matrix x [rows, inner] (rows ld bytes apart) into float64 accumulators acc [inner]
;; (zeroed by the caller, 8-byte aligned): the bias gradient, Σ over batch and positions. inner % 4 == 0.
;; Columns are independent, so a call can be split by columns over threads (simdKernels.ts) with the same sums.
;;
;; Four rows per pass, acc += (x0 + x1) + (x2 + x3) in float64, the association of the JS loop it replaces
;; (then one row per pass for the last rows % 4). Each float32 pair is widened with
;; f64x2.promote_low_f32x4 after a 64-bit load, so 4 floats make two f64x2 halves, lo and hi.

(module
  ;; The backend's own memory: the loader compiles a `shared` variant when that memory is shared.
  (import "env" "memory" (memory 0))

  (func (export "colSumF64") (param $x i32) (param $acc i32) (param $rows i32) (param $inner i32) (param $ld i32)
    (local $r i32) (local $j i32) (local $rowBytes i32) (local $rows4 i32) (local $p i32) (local $q i32)
    (local $lo v128) (local $hi v128)
    (local.set $rowBytes (i32.mul (local.get $inner) (i32.const 4)))
    (local.set $rows4 (i32.and (local.get $rows) (i32.const -4)))

    ;; four rows at a time
    (block $quadsDone
      (loop $quads
        (br_if $quadsDone (i32.ge_u (local.get $r) (local.get $rows4)))
        (local.set $j (i32.const 0))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.ge_u (local.get $j) (local.get $rowBytes)))
            ;; $p: x[r, j/4]; $q: acc[j/4] (8 bytes per accumulator)
            (local.set $p (i32.add (local.get $x) (local.get $j)))
            (local.set $q (i32.add (local.get $acc) (i32.add (local.get $j) (local.get $j))))
            (local.set $lo (f64x2.add
              (f64x2.add
                (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $p)))
                (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $p) (local.get $ld)))))
              (f64x2.add
                (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $p) (i32.mul (local.get $ld) (i32.const 2)))))
                (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $p) (i32.mul (local.get $ld) (i32.const 3))))))))
            (local.set $hi (f64x2.add
              (f64x2.add
                (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $p)))
                (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (i32.add (local.get $p) (local.get $ld)))))
              (f64x2.add
                (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (i32.add (local.get $p) (i32.mul (local.get $ld) (i32.const 2)))))
                (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (i32.add (local.get $p) (i32.mul (local.get $ld) (i32.const 3))))))))
            (v128.store (local.get $q) (f64x2.add (v128.load (local.get $q)) (local.get $lo)))
            (v128.store offset=16 (local.get $q) (f64x2.add (v128.load offset=16 (local.get $q)) (local.get $hi)))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $cols)))
        (local.set $x (i32.add (local.get $x) (i32.mul (local.get $ld) (i32.const 4))))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $quads)))

    ;; the last rows % 4, one at a time
    (block $rowsDone
      (loop $rowsLoop
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $j (i32.const 0))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.ge_u (local.get $j) (local.get $rowBytes)))
            (local.set $p (i32.add (local.get $x) (local.get $j)))
            (local.set $q (i32.add (local.get $acc) (i32.add (local.get $j) (local.get $j))))
            (v128.store (local.get $q)
              (f64x2.add (v128.load (local.get $q)) (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $p)))))
            (v128.store offset=16 (local.get $q)
              (f64x2.add (v128.load offset=16 (local.get $q)) (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $p)))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $cols)))
        (local.set $x (i32.add (local.get $x) (local.get $ld)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowsLoop)))))
