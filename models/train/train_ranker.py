"""Trains the demo ranking model and exports it to ONNX with its manifest.

Input: a training set written by `recmesh train-data` (see models/README.md):
  <data>/features.f32   rows x width little-endian float32, columns = meta.json "columns" in order
  <data>/labels.u8      one 0/1 label per row
  <data>/groups.u32     one query id (user + time) per row, for ranking metrics
  <data>/meta.json      columns (feature name, offset, dimension), feature view versions, fingerprint
Output: <out>/model.onnx and <out>/manifest.json (the recmesh.common.v1.ModelManifest JSON).

    /usr/bin/python3 models/train/train_ranker.py --data .data/train --out models/ctr-mlp

Uses Debian's python3-torch (1.13) and python3-onnx; deterministic for a given data set and --seed.
"""
import argparse
import datetime
import hashlib
import json
import os

import numpy as np
import torch
from torch import nn


class Ranker(nn.Module):
    """MLP over the raw features plus explicit user x item crosses (products and dot products)."""

    def __init__(self, width, user_emb, item_emb, user_cat, item_cat):
        super().__init__()
        self.slices = (user_emb, item_emb, user_cat, item_cat)
        dim = user_emb[1] - user_emb[0]
        cat = user_cat[1] - user_cat[0]
        self.norm = nn.BatchNorm1d(width)
        self.mlp = nn.Sequential(
            nn.Linear(width + dim + cat + 2, 128), nn.ReLU(),
            nn.Linear(128, 64), nn.ReLU(),
            nn.Linear(64, 1),
        )

    def forward(self, features):
        (ua, ub), (ia, ib), (uca, ucb), (ica, icb) = self.slices
        emb = features[:, ua:ub] * features[:, ia:ib]
        cat = features[:, uca:ucb] * features[:, ica:icb]
        dots = torch.stack([emb.sum(dim=1), cat.sum(dim=1)], dim=1)
        x = torch.cat([self.norm(features), emb, cat, dots], dim=1)
        return self.mlp(x).squeeze(1)


def column(meta, name):
    for c in meta["columns"]:
        if c["name"] == name:
            return (c["offset"], c["offset"] + c["dimension"])
    raise SystemExit(f"training data has no column {name}")


def auc(scores, labels):
    order = np.argsort(scores)
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    pos = labels == 1
    n_pos, n_neg = pos.sum(), (~pos).sum()
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / max(1, n_pos * n_neg))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--name", default="ctr-mlp")
    parser.add_argument("--version", default="1")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(2)
    with open(os.path.join(args.data, "meta.json")) as f:
        meta = json.load(f)
    width = meta["width"]
    features = np.fromfile(os.path.join(args.data, "features.f32"), dtype="<f4").reshape(-1, width)
    labels = np.fromfile(os.path.join(args.data, "labels.u8"), dtype=np.uint8).astype(np.float32)
    groups = np.fromfile(os.path.join(args.data, "groups.u32"), dtype="<u4")

    valid = (groups % 10) == 0
    x_train, y_train = torch.from_numpy(features[~valid]), torch.from_numpy(labels[~valid])
    x_valid, y_valid = torch.from_numpy(features[valid]), labels[valid]

    model = Ranker(width, column(meta, "user_taste:embedding"), column(meta, "item_content:embedding"),
                   column(meta, "user_taste:category_affinity"), column(meta, "item_content:category_hash"))
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3, weight_decay=1e-5)
    loss_fn = nn.BCEWithLogitsLoss()
    batch = 512
    for epoch in range(args.epochs):
        model.train()
        permutation = torch.randperm(len(x_train))
        total = 0.0
        for start in range(0, len(x_train), batch):
            idx = permutation[start:start + batch]
            optimizer.zero_grad()
            loss = loss_fn(model(x_train[idx]), y_train[idx])
            loss.backward()
            optimizer.step()
            total += float(loss) * len(idx)
        model.eval()
        with torch.no_grad():
            valid_auc = auc(model(x_valid).numpy(), y_valid)
        print(f"epoch {epoch + 1}: train loss {total / len(x_train):.4f}  valid AUC {valid_auc:.4f}", flush=True)

    os.makedirs(args.out, exist_ok=True)
    model.eval()
    torch.onnx.export(model, torch.zeros(2, width), os.path.join(args.out, "model.onnx"), input_names=["features"],
                      output_names=["score"], dynamic_axes={"features": {0: "batch"}, "score": {0: "batch"}}, opset_version=13)
    with open(os.path.join(args.out, "model.onnx"), "rb") as f:
        graph_sha = hashlib.sha256(f.read()).hexdigest()
    manifest = {
        "model": {"name": args.name, "version": args.version},
        "file": "model.onnx",
        "inputs": [{"name": "features", "dataType": "TENSOR_DATA_TYPE_FLOAT32", "shape": ["-1", str(width)]}],
        "outputs": [{"name": "score", "dataType": "TENSOR_DATA_TYPE_FLOAT32", "shape": ["-1"]}],
        "featureInputs": meta["featureInputs"],
        "featureViewVersions": meta["viewVersions"],
        "opset": "13",
        "trainingFingerprint": meta["fingerprint"],
        "offlineMetrics": {"valid_auc": round(valid_auc, 4), "train_rows": int(len(x_train)), "valid_rows": int(len(x_valid))},
        "trainedAt": datetime.datetime.utcfromtimestamp(meta["generatedAtEpochS"]).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "description": f"MLP with user x item crosses, trained by models/train/train_ranker.py (seed {args.seed}, "
                       f"{args.epochs} epochs, torch {torch.__version__}); graph sha256 {graph_sha[:16]}",
    }
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(f"wrote {args.out}/model.onnx and manifest.json (valid AUC {valid_auc:.4f})")


if __name__ == "__main__":
    main()
