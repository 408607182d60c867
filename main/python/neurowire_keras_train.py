"""Trains an exported tf.keras model with the project's settings, on one device or with tf.distribute.

Shipped unchanged with every exported train.py, which holds only the project's settings, its optimizer and losses,
and calls main(SETTINGS, ...).
"""
import argparse
import json
import os

import keras
import numpy as np
import tensorflow as tf


def strategy_named(name):
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    if name == "multiworker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    return tf.distribute.get_strategy()


def load_data(path, settings):
    """(train, validation, test), each ({input: array}, {output: array}), of the app's sizes."""
    inputs, outputs = settings["inputs"], settings["outputs"]
    data = np.load(path)
    missing = [name for name in inputs + outputs if name not in data.files]
    if missing:
        raise SystemExit(f"{path} has no array named {', '.join(missing)} (it has {', '.join(data.files)})")
    count = len(data[inputs[0]])
    order = np.random.default_rng(settings["seed"]).permutation(count)
    test = int(round(count * settings["test_fraction"]))
    validation = int(round(count * settings["validation_fraction"]))

    def part(indices):
        return ({n: data[n][indices].astype("float32") for n in inputs}, {n: data[n][indices].astype("float32") for n in outputs})

    return part(order[test + validation:]), part(order[test:test + validation]), part(order[:test])


def main(settings, build_model, load_trained_weights, make_optimizer, losses, doc):
    """Trains build_model() with the settings; make_optimizer() and losses() are called in the strategy's scope.
    `doc` is train.py's docstring (the --help text)."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help=".npz file with one array per Input and output layer")
    parser.add_argument("--strategy", choices=["default", "mirrored", "multiworker"], default="default")
    parser.add_argument("--from-trained", action="store_true", help="start from the weights trained in the app")
    parser.add_argument("--out", default="trained.keras", help="where to save the trained model")
    args = parser.parse_args()

    first_input = settings["inputs"][0]
    batch_size, rates = settings["batch_size"], settings["learning_rates"]
    keras.utils.set_random_seed(settings["seed"])
    strategy = strategy_named(args.strategy)
    train, validation, test = load_data(args.data, settings)
    with strategy.scope():
        model = build_model()
        if args.from_trained:
            load_trained_weights(model)
        model.compile(optimizer=make_optimizer(), loss=losses(), loss_weights=settings["loss_weights"], metrics=settings["metrics"])
    callbacks = [keras.callbacks.LearningRateScheduler(lambda epoch, rate: rates[epoch])]
    if settings.get("early_stopping"):
        callbacks.append(keras.callbacks.EarlyStopping(**settings["early_stopping"]))
    model.fit(
        train[0],
        train[1],
        batch_size=batch_size * strategy.num_replicas_in_sync,
        epochs=settings["epochs"],
        validation_data=validation if len(validation[0][first_input]) else None,
        callbacks=callbacks,
        shuffle=True,
    )
    if len(test[0][first_input]):
        print("Test:", json.dumps(model.evaluate(test[0], test[1], batch_size=batch_size, return_dict=True)))
    # Under MultiWorkerMirroredStrategy every worker saves; the chief (task 0) keeps the name asked for.
    task = json.loads(os.environ.get("TF_CONFIG", "{}")).get("task", {})
    chief = task.get("type", "chief") == "chief" or (task.get("type") == "worker" and task.get("index", 0) == 0)
    model.save(args.out if chief else f"{args.out}.worker{task.get('index', 0)}.keras")
