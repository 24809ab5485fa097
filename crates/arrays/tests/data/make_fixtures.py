#!/usr/bin/env python3
"""Regenerates the small fixture files of collapse-arrays' tests (numpy and the official
safetensors package write them, so the reader is tested against independent writers).

    python3 crates/arrays/tests/data/make_fixtures.py
"""
import os

import numpy as np
from safetensors.numpy import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
m = (np.arange(15, dtype=np.float64).reshape(5, 3) - 7) / 4  # values exact in f32 too


def save(name, a):
    np.save(os.path.join(HERE, name), a)


save("m_f64.npy", m)
save("m_f32.npy", m.astype(np.float32))
save("m_f64_big_endian.npy", m.astype(">f8"))
save("m_fortran.npy", np.asfortranarray(m))
save("m_f16.npy", m.astype(np.float16))
save("v_f64.npy", m[:, 0].copy())
labels = np.array([0, 2, 1, 255, 7])
for dt in ["i1", "u1", "<i2", ">u2", "<i4", "u4", "<i8", "u8"]:
    save("labels_%s.npy" % dt.replace("<", "le_").replace(">", "be_"), labels.astype(dt) if dt not in ("i1",) else np.array([0, 2, 1, 127, 7], dtype=dt))
save("labels_negative.npy", np.array([0, 1, -3], dtype=np.int32))
save("labels_column.npy", labels.reshape(-1, 1).astype(np.int64))
save_file({"fc.weight": m.astype(np.float32), "fc.bias": m[:, 1].astype(np.float32).copy()},
          os.path.join(HERE, "head.safetensors"))
save_file({"a": m, "b": m + 1}, os.path.join(HERE, "two_matrices.safetensors"))
save_file({"h": m.astype(np.float16)}, os.path.join(HERE, "half.safetensors"))
with open(os.path.join(HERE, "m_f64.npy"), "rb") as f:
    data = f.read()
with open(os.path.join(HERE, "truncated.npy"), "wb") as f:
    f.write(data[:-8])
