import type * as tfjs from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, NamedAttrMap, Tensor, TensorInfo, Variable } from '@tensorflow/tfjs';
import { heapPtr, parallelFor, simdKernels } from './simdKernels';

/**
 * A fused Adam step for the tfjs `wasm` backend: `NeurowireAdam` computes a variable's new value and both
 * moments in one pass over the heap (wasm SIMD, adam.wat) instead of tf.train.adam's 13 kernels per
 * variable. `createFusedAdam(tf, lr)` returns a tf.AdamOptimizer (same class name, config, weights and
 * serialisation) whose applyGradients uses it on the wasm backend; on other backends, or for non-float32
 * variables, it is the stock optimizer. The float32 operations and their order are tf.train.adam's:
 *
 *   m' = m·β1 + g·(1-β1);  v' = v·β2 + g²·(1-β2);  w' = (m'/(1-β1ᵗ)) / (√(v'/(1-β2ᵗ)) + ε) · (-lr) + w
 *
 * so the updates are the stock ones bit for bit (verified in tests/unit/wasm-kernels.test.ts).
 */

type Tf = typeof tfjs;
type Grads = Parameters<tfjs.Optimizer['applyGradients']>[0];
type NamedTensor = { name: string; tensor: Tensor };
type NamedVariableMap = Record<string, Tensor>;

export const ADAM_KERNEL = 'NeurowireAdam';

interface WasmBackend {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

const fr = Math.fround;

/** Values a share of a split Adam update covers at least (it reads 4 and writes 3 arrays of them). */
const ADAM_SHARE_MIN_VALUES = 16 * 1024;

export function adamKernelConfig(): KernelConfig {
  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
    const b = backend as unknown as WasmBackend;
    const { x, g, m, v, acc1, acc2 } = inputs as Record<string, TensorInfo>;
    const a = attrs as NamedAttrMap;
    const [beta1, beta2, eps, lr] = [a.beta1, a.beta2, a.epsilon, a.learningRate] as number[];
    const outs = [x, m, v].map((t) => b.makeOutput(t.shape, 'float32'));
    const n = x.shape.reduce((p, q) => p * q, 1);
    const sk = simdKernels(backend);
    if (sk) {
      const p = (t: TensorInfo) => heapPtr(backend, t.dataId);
      const [px, pg, pm, pv, pwo, pmo, pvo, pa1, pa2] = [x, g, m, v, ...outs, acc1, acc2].map(p);
      // Split by values (4 at a time, 16-byte aligned): element-wise, so any split gives the same update.
      parallelFor(sk, 'adam', n, 4, ADAM_SHARE_MIN_VALUES, (i, count) => {
        const o = i * 4;
        return [px + o, pg + o, pm + o, pv + o, pwo + o, pmo + o, pvo + o, count, pa1, pa2, beta1, 1 - beta1, beta2, 1 - beta2, eps, -lr];
      });
      return outs;
    }
    // Fallback: the same float32 operations (each rounded to float32, as the kernels do).
    const f = (t: TensorInfo) => b.typedArrayFromHeap(t) as Float32Array;
    const [xs, gs, ms, vs, wo, mo, vo] = [x, g, m, v, ...outs].map(f);
    const b1 = fr(beta1), ob1 = fr(1 - beta1), b2 = fr(beta2), ob2 = fr(1 - beta2), e = fr(eps), nlr = fr(-lr);
    const c1 = fr(1 - f(acc1)[0]), c2 = fr(1 - f(acc2)[0]);
    for (let i = 0; i < n; i++) {
      const gi = gs[i];
      const mn = fr(fr(ms[i] * b1) + fr(gi * ob1));
      const vn = fr(fr(vs[i] * b2) + fr(fr(gi * gi) * ob2));
      mo[i] = mn;
      vo[i] = vn;
      wo[i] = fr(fr(fr(fr(mn / c1) / fr(fr(Math.sqrt(fr(vn / c2))) + e)) * nlr) + xs[i]);
    }
    return outs;
  };
  return { kernelName: ADAM_KERNEL, backendName: 'wasm', kernelFunc };
}

interface AdamInternals {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: Variable;
  accBeta2: Variable;
  accumulatedFirstMoment: ({ originalName: string; variable: Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: Variable } | undefined)[];
  incrementIterations(): void;
}

const classCache = new WeakMap<object, new (lr: number, b1: number, b2: number, eps?: number) => tfjs.Optimizer>();

/**
 * tf.train.adam(learningRate, beta1, beta2, epsilon) with the fused update on the wasm backend (when
 * NeurowireAdam is registered, see registerWasmTrainingKernels).
 */
export function createFusedAdam(tf: Tf, learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon?: number): tfjs.Optimizer {
  let Cls = classCache.get(tf);
  if (!Cls) {
    class NeurowireAdam extends tf.AdamOptimizer {
      override applyGradients(variableGradients: Grads): void {
        if (tf.getBackend() !== 'wasm' || !tf.getKernel(ADAM_KERNEL, 'wasm')) return super.applyGradients(variableGradients as never);
        const self = this as unknown as AdamInternals;
        const engine = tf.engine();
        const list = Array.isArray(variableGradients);
        const varNames = list ? (variableGradients as NamedTensor[]).map((v) => v.name) : Object.keys(variableGradients);
        tf.tidy(() => {
          let oneMinus: [Tensor, Tensor] | null = null;
          varNames.forEach((name, i) => {
            const value = engine.registeredVariables[name];
            if (self.accumulatedFirstMoment[i] == null) {
              self.accumulatedFirstMoment[i] = { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
            }
            if (self.accumulatedSecondMoment[i] == null) {
              self.accumulatedSecondMoment[i] = { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
            }
            const gradient = list ? (variableGradients as NamedTensor[])[i].tensor : (variableGradients as NamedVariableMap)[name];
            if (gradient == null) return;
            const m = (self.accumulatedFirstMoment[i] as { variable: Variable }).variable;
            const v = (self.accumulatedSecondMoment[i] as { variable: Variable }).variable;
            if (value.dtype === 'float32' && gradient.dtype === 'float32' && tf.util.arraysEqual(value.shape, gradient.shape)) {
              const [w2, m2, v2] = engine.runKernel(
                ADAM_KERNEL,
                { x: value, g: gradient, m, v, acc1: self.accBeta1, acc2: self.accBeta2 },
                { beta1: self.beta1, beta2: self.beta2, epsilon: self.epsilon, learningRate: self.learningRate },
              ) as unknown as Tensor[];
              m.assign(m2);
              v.assign(v2);
              value.assign(w2);
              return;
            }
            // The stock maths for anything else (e.g. a broadcast gradient).
            oneMinus ??= [tf.sub(1, self.accBeta1), tf.sub(1, self.accBeta2)];
            const nm = tf.add(tf.mul(m, self.beta1), tf.mul(gradient, 1 - self.beta1));
            const nv = tf.add(tf.mul(v, self.beta2), tf.mul(tf.square(gradient), 1 - self.beta2));
            const mh = tf.div(nm, oneMinus[0]);
            const vh = tf.div(nv, oneMinus[1]);
            m.assign(nm);
            v.assign(nv);
            value.assign(tf.add(tf.mul(tf.div(mh, tf.add(tf.sqrt(vh), self.epsilon)), -self.learningRate), value));
          });
          self.accBeta1.assign(tf.mul(self.accBeta1, self.beta1));
          self.accBeta2.assign(tf.mul(self.accBeta2, self.beta2));
        });
        self.incrementIterations();
      }
    }
    Cls = NeurowireAdam as unknown as new (lr: number, b1: number, b2: number, eps?: number) => tfjs.Optimizer;
    classCache.set(tf, Cls);
  }
  return new Cls(learningRate, beta1, beta2, epsilon);
}
