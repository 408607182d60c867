"""Sentiment Transformer: trains the network of model.py with the project's settings, in tf.keras.

    python train.py --data data.npz [--from-trained] [--strategy mirrored|multiworker]

--data: an .npz file with one array per Input layer and one per output layer, named after the layers, prepared
as ../preprocessing.json describes (classes one-hot). The samples are shuffled with the seed and split into
test, validation and training parts of the app's sizes (numpy's shuffle: not the app's samples in each part).
--strategy: mirrored trains on every GPU of this machine (tf.distribute.MirroredStrategy); multiworker on
several machines (tf.distribute.MultiWorkerMirroredStrategy; each machine runs this script with its TF_CONFIG).
The batch size is per device: each step takes BATCH_SIZE samples on every device.
"""
import argparse
import json
import os

import keras
import numpy as np
import tensorflow as tf

from model import build_model, load_trained_weights

EPOCHS = 10
BATCH_SIZE = 32
SEED = 42
VALIDATION_FRACTION = 0.1
TEST_FRACTION = 0.1
INPUTS = ["input_1"]
OUTPUTS = ["dense_1"]
# The learning rate of each epoch (the project's schedule, warm-up included).
LEARNING_RATES = [0.002] * EPOCHS


def make_optimizer():
    return keras.optimizers.Adam(learning_rate=0.002)


def losses():
    return {
        "dense_1": keras.losses.CategoricalCrossentropy(from_logits=False),
    }


LOSS_WEIGHTS = {"dense_1": 1}
METRICS = {"dense_1": ["accuracy"]}


def strategy_named(name):
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    if name == "multiworker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    return tf.distribute.get_strategy()


def load_data(path):
    """(train, validation, test), each ({input: array}, {output: array}), of the app's sizes."""
    data = np.load(path)
    missing = [name for name in INPUTS + OUTPUTS if name not in data.files]
    if missing:
        raise SystemExit(f"{path} has no array named {', '.join(missing)} (it has {', '.join(data.files)})")
    count = len(data[INPUTS[0]])
    order = np.random.default_rng(SEED).permutation(count)
    test = int(round(count * TEST_FRACTION))
    validation = int(round(count * VALIDATION_FRACTION))

    def part(indices):
        return ({n: data[n][indices].astype("float32") for n in INPUTS}, {n: data[n][indices].astype("float32") for n in OUTPUTS})

    return part(order[test + validation:]), part(order[test:test + validation]), part(order[:test])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help=".npz file with one array per Input and output layer")
    parser.add_argument("--strategy", choices=["default", "mirrored", "multiworker"], default="default")
    parser.add_argument("--from-trained", action="store_true", help="start from the weights trained in the app")
    parser.add_argument("--out", default="trained.keras", help="where to save the trained model")
    args = parser.parse_args()

    keras.utils.set_random_seed(SEED)
    strategy = strategy_named(args.strategy)
    train, validation, test = load_data(args.data)
    with strategy.scope():
        model = build_model()
        if args.from_trained:
            load_trained_weights(model)
        model.compile(optimizer=make_optimizer(), loss=losses(), loss_weights=LOSS_WEIGHTS, metrics=METRICS)
    callbacks = [keras.callbacks.LearningRateScheduler(lambda epoch, rate: LEARNING_RATES[epoch])]
    model.fit(
        train[0],
        train[1],
        batch_size=BATCH_SIZE * strategy.num_replicas_in_sync,
        epochs=EPOCHS,
        validation_data=validation if len(validation[0][INPUTS[0]]) else None,
        callbacks=callbacks,
        shuffle=True,
    )
    if len(test[0][INPUTS[0]]):
        print("Test:", json.dumps(model.evaluate(test[0], test[1], batch_size=BATCH_SIZE, return_dict=True)))
    # Under MultiWorkerMirroredStrategy every worker saves; the chief (task 0) keeps the name asked for.
    task = json.loads(os.environ.get("TF_CONFIG", "{}")).get("task", {})
    chief = task.get("type", "chief") == "chief" or (task.get("type") == "worker" and task.get("index", 0) == 0)
    model.save(args.out if chief else f"{args.out}.worker{task.get('index', 0)}.keras")


if __name__ == "__main__":
    main()
