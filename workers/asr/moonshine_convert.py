"""Rebuild Moonshine's shipped ``.ort`` files as plain ONNX graphs, once, into a cache folder.

``moonshine-cpp`` ships its models in ORT format: onnxruntime loads those as already
optimised and does not fold constants again, so every decoder step dequantises the int8
weights afresh (0.71 s per 2-4 s utterance here). The same graph as a plain ``.onnx`` file lets
onnxruntime fold ``DequantizeLinear(constant)`` once at load: 0.19 s, at the price of float
weights in memory (≈835 MB resident). The conversion is lossless (same nodes, same
initializers); it takes a few seconds and is skipped when the cache is up to date.

    python -m workers.asr.moonshine_convert [--cache DIR]   # prints the folder it filled
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
from pathlib import Path

MODEL_FILES = ("encoder_model", "decoder_model_merged")
# Bump when the conversion changes, so caches built by an older one are rebuilt.
RECIPE = "1"


def _fbs():  # noqa: ANN202 - flatbuffers bindings that onnxruntime ships with its tools
    from onnxruntime.tools.ort_format_model.ort_flatbuffers_py import fbs

    return fbs


def _str(raw: bytes | None) -> str:
    return raw.decode() if raw else ""


def _tensor(t) -> object:  # noqa: ANN001 - fbs.Tensor
    from onnx import TensorProto, helper

    dims = [int(d) for d in t.DimsAsNumpy()] if t.DimsLength() else []
    if t.DataType() == TensorProto.STRING:
        strings = [t.StringData(i) for i in range(t.StringDataLength())]
        return helper.make_tensor(_str(t.Name()), TensorProto.STRING, dims, strings)
    if t.ExternalDataOffset() >= 0:
        raise ValueError(f"initializer {_str(t.Name())} keeps its data outside the model: not supported")
    proto = TensorProto(name=_str(t.Name()), data_type=t.DataType(), dims=dims)
    if t.RawDataLength():
        proto.raw_data = t.RawDataAsNumpy().tobytes()
    return proto


def _value_info(v) -> object:  # noqa: ANN001 - fbs.ValueInfo
    from onnx import helper

    name = _str(v.Name())
    type_info = v.Type()
    if type_info is None or type_info.ValueType() != 1:  # 1: a tensor (the only kind these models use)
        return helper.make_empty_tensor_value_info(name)
    fbs = _fbs()
    tensor_type = fbs.TensorTypeAndShape.TensorTypeAndShape()
    value = type_info.Value()
    tensor_type.Init(value.Bytes, value.Pos)
    shape = tensor_type.Shape()
    dims: list[int | str | None] | None = None
    if shape is not None:
        dims = []
        for i in range(shape.DimLength()):
            d = shape.Dim(i).Value()
            if d is None or d.DimType() == 0:
                dims.append(None)
            elif d.DimType() == 1:
                dims.append(int(d.DimValue()))
            else:
                dims.append(_str(d.DimParam()))
    return helper.make_tensor_value_info(name, tensor_type.ElemType(), dims)


def _attribute(a) -> object:  # noqa: ANN001 - fbs.Attribute
    from onnx import AttributeProto, helper

    name, kind = _str(a.Name()), a.Type()
    if kind == AttributeProto.FLOAT:
        return helper.make_attribute(name, a.F(), attr_type=kind)
    if kind == AttributeProto.INT:
        return helper.make_attribute(name, a.I(), attr_type=kind)
    if kind == AttributeProto.STRING:
        return helper.make_attribute(name, a.S() or b"", attr_type=kind)
    if kind == AttributeProto.TENSOR:
        return helper.make_attribute(name, _tensor(a.T()), attr_type=kind)
    if kind == AttributeProto.GRAPH:
        return helper.make_attribute(name, _graph(a.G(), name), attr_type=kind)
    if kind == AttributeProto.FLOATS:
        return helper.make_attribute(name, [a.Floats(i) for i in range(a.FloatsLength())], attr_type=kind)
    if kind == AttributeProto.INTS:
        return helper.make_attribute(name, [a.Ints(i) for i in range(a.IntsLength())], attr_type=kind)
    if kind == AttributeProto.STRINGS:
        return helper.make_attribute(name, [a.Strings(i) for i in range(a.StringsLength())], attr_type=kind)
    if kind == AttributeProto.GRAPHS:
        return helper.make_attribute(name, [_graph(a.Graphs(i), name) for i in range(a.GraphsLength())])
    raise ValueError(f"attribute {name}: type {kind} not supported")


def _graph(g, name: str) -> object:  # noqa: ANN001 - fbs.Graph
    from onnx import helper

    infos = {_str(g.NodeArgs(i).Name()): g.NodeArgs(i) for i in range(g.NodeArgsLength())}
    nodes = sorted((g.Nodes(i) for i in range(g.NodesLength())), key=lambda n: n.Index())
    onnx_nodes = []
    for n in nodes:
        if n.Type() != 0:  # 0: a primitive operator; fused nodes exist only inside a session
            raise ValueError(f"node {_str(n.Name())} is a fused node: not convertible")
        node = helper.make_node(
            _str(n.OpType()),
            [_str(n.Inputs(i)) for i in range(n.InputsLength())],
            [_str(n.Outputs(i)) for i in range(n.OutputsLength())],
            name=_str(n.Name()),
            domain=_str(n.Domain()) or None,
        )
        node.attribute.extend(_attribute(n.Attributes(i)) for i in range(n.AttributesLength()))
        onnx_nodes.append(node)
    inputs = [_str(g.Inputs(i)) for i in range(g.InputsLength())]
    outputs = [_str(g.Outputs(i)) for i in range(g.OutputsLength())]
    initializers = [_tensor(g.Initializers(i)) for i in range(g.InitializersLength())]
    declared = set(inputs) | set(outputs) | {t.name for t in initializers}  # type: ignore[attr-defined]
    return helper.make_graph(
        onnx_nodes,
        name,
        [_value_info(infos[n]) for n in inputs],
        [_value_info(infos[n]) for n in outputs],
        initializer=initializers,
        value_info=[_value_info(v) for k, v in infos.items() if k not in declared],
    )


def ort_to_onnx(source: Path, target: Path) -> None:
    import onnx
    from onnx import helper

    fbs = _fbs()
    session = fbs.InferenceSession.InferenceSession.GetRootAs(source.read_bytes(), 0)
    model = session.Model()
    opsets = [
        helper.make_opsetid(_str(model.OpsetImport(i).Domain()), model.OpsetImport(i).Version())
        for i in range(model.OpsetImportLength())
    ]
    proto = helper.make_model(
        _graph(model.Graph(), source.stem), opset_imports=opsets, producer_name="contactcenter"
    )
    proto.ir_version = model.IrVersion()
    # Per process: two first loads converting at once must not write into one file.
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    onnx.save_model(proto, str(partial))
    partial.replace(target)  # a half-written file is never taken for a model


def _fingerprint(source_dir: Path) -> str:
    h = hashlib.sha256(RECIPE.encode())
    for stem in MODEL_FILES:
        stat = (source_dir / f"{stem}.ort").stat()
        h.update(f"{stem}:{stat.st_size}:{int(stat.st_mtime)}".encode())
    return h.hexdigest()[:16]


def convert_models(source_dir: Path, cache_dir: Path) -> Path:
    """The ONNX copy of the models in ``source_dir`` (``*.ort`` + ``tokenizer.bin``), built if missing."""
    target = cache_dir / f"moonshine-base-en-{_fingerprint(source_dir)}"
    stamp = target / "converted"
    if stamp.exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    for stem in MODEL_FILES:
        ort_to_onnx(source_dir / f"{stem}.ort", target / f"{stem}.onnx")
    tokenizer = target / f"tokenizer.bin.{os.getpid()}.partial"
    shutil.copyfile(source_dir / "tokenizer.bin", tokenizer)
    tokenizer.replace(target / "tokenizer.bin")
    stamp.write_text(RECIPE)
    return target


def main(argv: list[str] | None = None) -> int:
    from workers.models import MOONSHINE_MODEL, ModelNotFound
    from workers.settings import SpeechSettings

    parser = argparse.ArgumentParser(prog="python -m workers.asr.moonshine_convert", description=__doc__)
    parser.add_argument(
        "--cache", type=Path, help="default: CC_MODEL_CACHE_DIR, else the set-up's cache/models"
    )
    args = parser.parse_args(argv)
    settings = SpeechSettings.from_env()
    try:
        source = MOONSHINE_MODEL.locate(settings.moonshine_model_path)
    except ModelNotFound as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(convert_models(source, args.cache or settings.model_cache_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
