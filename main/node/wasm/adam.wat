;; One Adam update of a float32 variable of n values, in one pass over the tfjs wasm backend's heap:
;;
;;   m' = m·β1 + g·(1-β1)
;;   v' = v·β2 + g²·(1-β2)
;;   w' = (m' / (1-β1ᵗ)) / (√(v' / (1-β2ᵗ)) + ε) · (-lr) + w
;;
;; the same float32 operations in the same order as tf.train.adam's 13 kernels, so the results are the stock
;; optimizer's bit for bit (adam.ts). β1ᵗ and β2ᵗ are read from the optimizer's accumulator variables
;; (accBeta1, accBeta2: pointers to one float each); 1-β1 and 1-β2 come from the caller, computed in double
;; precision and rounded, as tfjs does.
;;
;; Pointers are byte offsets on the heap; the outputs are new tensors (no aliasing of the inputs).

(module
  ;; The backend's own memory: the loader compiles a `shared` variant when that memory is shared.
  (import "env" "memory" (memory 0))

  (func (export "adam")
    (param $w i32) (param $g i32) (param $m i32) (param $v i32) (param $wOut i32) (param $mOut i32) (param $vOut i32)
    (param $n i32) (param $accBeta1 i32) (param $accBeta2 i32)
    (param $beta1 f32) (param $oneMinusBeta1 f32) (param $beta2 f32) (param $oneMinusBeta2 f32)
    (param $epsilon f32) (param $negLr f32)
    (local $i i32) (local $bytes i32) (local $vecBytes i32)
    (local $c1 f32) (local $c2 f32) (local $gs f32) (local $ms f32) (local $vs f32)
    ;; the scalars broadcast to 4 lanes
    (local $beta1x4 v128) (local $oneMinusBeta1x4 v128) (local $beta2x4 v128) (local $oneMinusBeta2x4 v128)
    (local $epsilonx4 v128) (local $negLrx4 v128) (local $c1x4 v128) (local $c2x4 v128)
    (local $gv v128) (local $mv v128) (local $vv v128)
    ;; bias corrections 1-β1ᵗ, 1-β2ᵗ
    (local.set $c1 (f32.sub (f32.const 1) (f32.load (local.get $accBeta1))))
    (local.set $c2 (f32.sub (f32.const 1) (f32.load (local.get $accBeta2))))
    (local.set $beta1x4 (f32x4.splat (local.get $beta1)))
    (local.set $oneMinusBeta1x4 (f32x4.splat (local.get $oneMinusBeta1)))
    (local.set $beta2x4 (f32x4.splat (local.get $beta2)))
    (local.set $oneMinusBeta2x4 (f32x4.splat (local.get $oneMinusBeta2)))
    (local.set $epsilonx4 (f32x4.splat (local.get $epsilon)))
    (local.set $negLrx4 (f32x4.splat (local.get $negLr)))
    (local.set $c1x4 (f32x4.splat (local.get $c1)))
    (local.set $c2x4 (f32x4.splat (local.get $c2)))
    (local.set $bytes (i32.mul (local.get $n) (i32.const 4)))
    (local.set $vecBytes (i32.and (local.get $bytes) (i32.const -16)))

    ;; 4 values at a time ($i is a byte offset)
    (block $vecDone
      (loop $vec
        (br_if $vecDone (i32.ge_u (local.get $i) (local.get $vecBytes)))
        (local.set $gv (v128.load (i32.add (local.get $g) (local.get $i))))
        (local.set $mv (f32x4.add
          (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $i))) (local.get $beta1x4))
          (f32x4.mul (local.get $gv) (local.get $oneMinusBeta1x4))))
        (local.set $vv (f32x4.add
          (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $i))) (local.get $beta2x4))
          (f32x4.mul (f32x4.mul (local.get $gv) (local.get $gv)) (local.get $oneMinusBeta2x4))))
        (v128.store (i32.add (local.get $mOut) (local.get $i)) (local.get $mv))
        (v128.store (i32.add (local.get $vOut) (local.get $i)) (local.get $vv))
        (v128.store (i32.add (local.get $wOut) (local.get $i))
          (f32x4.add
            (f32x4.mul
              (f32x4.div
                (f32x4.div (local.get $mv) (local.get $c1x4))
                (f32x4.add (f32x4.sqrt (f32x4.div (local.get $vv) (local.get $c2x4))) (local.get $epsilonx4)))
              (local.get $negLrx4))
            (v128.load (i32.add (local.get $w) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vec)))

    ;; the last n % 4 values, the same operations on scalars
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $bytes)))
        (local.set $gs (f32.load (i32.add (local.get $g) (local.get $i))))
        (local.set $ms (f32.add
          (f32.mul (f32.load (i32.add (local.get $m) (local.get $i))) (local.get $beta1))
          (f32.mul (local.get $gs) (local.get $oneMinusBeta1))))
        (local.set $vs (f32.add
          (f32.mul (f32.load (i32.add (local.get $v) (local.get $i))) (local.get $beta2))
          (f32.mul (f32.mul (local.get $gs) (local.get $gs)) (local.get $oneMinusBeta2))))
        (f32.store (i32.add (local.get $mOut) (local.get $i)) (local.get $ms))
        (f32.store (i32.add (local.get $vOut) (local.get $i)) (local.get $vs))
        (f32.store (i32.add (local.get $wOut) (local.get $i))
          (f32.add
            (f32.mul
              (f32.div
                (f32.div (local.get $ms) (local.get $c1))
                (f32.add (f32.sqrt (f32.div (local.get $vs) (local.get $c2))) (local.get $epsilon)))
              (local.get $negLr))
            (f32.load (i32.add (local.get $w) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $tail)))))
