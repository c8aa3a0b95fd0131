"""Builds the tiny ONNX models the ranking tests use (run with Debian's python3-onnx).

    /usr/bin/python3 services/ranking/testdata/make-test-models.py

Every model takes "features" [batch, 64] = user_taste:embedding ++ item_content:embedding
and outputs "score" [batch]:
  dot/1       score = user · item
  dot/2       score = 2 (user · item) + 1   (lets a test tell the versions apart from the scores alone)
  nan/1       score = log(user · item)      (NaN wherever the dot product is negative)
  wide/1      input width 65 while its manifest promises 64 (must be rejected)
  unknown/1   a valid graph whose manifest names a feature the registry lacks (must be rejected)
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
DIM = 32
INPUTS = ["user_taste:embedding", "item_content:embedding"]
VERSIONS = {"user_taste": 1, "item_content": 1}


def dot_graph(width, scale, bias, log=False):
    consts = [
        numpy_helper.from_array(np.array([0], dtype=np.int64), "s0"),
        numpy_helper.from_array(np.array([DIM], dtype=np.int64), "s1"),
        numpy_helper.from_array(np.array([2 * DIM], dtype=np.int64), "s2"),
        numpy_helper.from_array(np.array([1], dtype=np.int64), "axis"),
        numpy_helper.from_array(np.array(scale, dtype=np.float32), "scale"),
        numpy_helper.from_array(np.array(bias, dtype=np.float32), "bias"),
    ]
    nodes = [
        helper.make_node("Slice", ["features", "s0", "s1", "axis"], ["user"]),
        helper.make_node("Slice", ["features", "s1", "s2", "axis"], ["item"]),
        helper.make_node("Mul", ["user", "item"], ["prod"]),
        helper.make_node("ReduceSum", ["prod", "axis"], ["dot"], keepdims=0),
        helper.make_node("Mul", ["dot", "scale"], ["scaled"]),
        helper.make_node("Add", ["scaled", "bias"], ["biased" if log else "score"]),
    ]
    if log:
        nodes.append(helper.make_node("Log", ["biased"], ["score"]))
    graph = helper.make_graph(
        nodes,
        "dot",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["batch", width])],
        [helper.make_tensor_value_info("score", TensorProto.FLOAT, ["batch"])],
        consts,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def write(name, version, model, feature_inputs=INPUTS, width=2 * DIM):
    folder = os.path.join(HERE, name, version)
    os.makedirs(folder, exist_ok=True)
    onnx.save(model, os.path.join(folder, "model.onnx"))
    manifest = {
        "model": {"name": name, "version": version},
        "file": "model.onnx",
        "inputs": [{"name": "features", "dataType": "TENSOR_DATA_TYPE_FLOAT32", "shape": ["-1", str(width)]}],
        "outputs": [{"name": "score", "dataType": "TENSOR_DATA_TYPE_FLOAT32", "shape": ["-1"]}],
        "featureInputs": feature_inputs,
        "featureViewVersions": VERSIONS,
        "opset": "13",
        "trainingFingerprint": "test-fixture",
        "offlineMetrics": {},
        "description": f"test model {name}/{version}",
    }
    with open(os.path.join(folder, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


write("dot", "1", dot_graph(2 * DIM, 1.0, 0.0))
write("dot", "2", dot_graph(2 * DIM, 2.0, 1.0))
write("nan", "1", dot_graph(2 * DIM, 1.0, 0.0, log=True))
write("wide", "1", dot_graph(2 * DIM + 1, 1.0, 0.0))
write("unknown", "1", dot_graph(2 * DIM, 1.0, 0.0), feature_inputs=["user_taste:embedding", "item_content:nope"])
