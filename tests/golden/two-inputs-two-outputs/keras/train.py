"""Two inputs, two outputs: trains the network of model.py with the project's settings, in tf.keras.

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
    "epochs": 25,
    "batch_size": 32,
    "seed": 3,
    "validation_fraction": 0.1,
    "test_fraction": 0.2,
    "inputs": ["numbers", "words"],
    "outputs": ["kind_out", "value_out"],
    # The learning rate of each epoch (the project's schedule, warm-up included).
    "learning_rates": [0.01] * 25,
    "loss_weights": {"kind_out": 1, "value_out": 0.5},
    "metrics": {"kind_out": ["accuracy"], "value_out": ["mean_absolute_error"]},
    "early_stopping": None,
}


def make_optimizer():
    return keras.optimizers.Adam(learning_rate=0.01)


def losses():
    return {
        "kind_out": keras.losses.CategoricalCrossentropy(from_logits=True),
        "value_out": keras.losses.MeanSquaredError(),
    }


if __name__ == "__main__":
    nw_train.main(SETTINGS, build_model, load_trained_weights, make_optimizer, losses, doc=__doc__)
