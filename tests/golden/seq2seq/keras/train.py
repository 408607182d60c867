"""Sequence to sequence: trains the network of model.py with the project's settings, in tf.keras.

    python train.py --data data.npz [--from-trained] [--strategy mirrored|multiworker]

--data: an .npz file with one array per Input layer and one per output layer, named after the layers, prepared
as ../preprocessing.json describes (classes one-hot). The samples are shuffled with the seed and split into
test, validation and training parts of the app's sizes (numpy's shuffle: not the app's samples in each part).
--strategy: mirrored trains on every GPU of this machine (tf.distribute.MirroredStrategy); multiworker on
several machines (tf.distribute.MultiWorkerMirroredStrategy; each machine runs this script with its TF_CONFIG).
The batch size is per device: each step takes SETTINGS["batch_size"] samples on every device.
"""
import keras

import neurowire_keras_train as nw_train
from model import build_model, load_trained_weights

# The project's training settings; the training itself is Neurowire's, in neurowire_keras_train.py.
SETTINGS = {
    "epochs": 5,
    "batch_size": 32,
    "seed": 42,
    "validation_fraction": 0.1,
    "test_fraction": 0.1,
    "inputs": ["steps"],
    "outputs": ["dense_1"],
    # The learning rate of each epoch (the project's schedule, warm-up included).
    "learning_rates": [0.001] * 5,
    "loss_weights": {"dense_1": 1},
    "metrics": {"dense_1": ["accuracy"]},
    "early_stopping": None,
}


def make_optimizer():
    return keras.optimizers.Adam(learning_rate=0.001)


def losses():
    return {
        "dense_1": keras.losses.CategoricalCrossentropy(from_logits=False),
    }


if __name__ == "__main__":
    nw_train.main(SETTINGS, build_model, load_trained_weights, make_optimizer, losses, doc=__doc__)
