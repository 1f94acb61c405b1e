// A one-node ONNX model computing C = MatMul(A, B) for float32 operands of fixed shapes, written as
// protobuf bytes directly (the few fields of onnx.proto it needs; no protobuf library).
//
// ModelProto { ir_version = 1, graph = 7, opset_import = 8 }
// GraphProto { node = 1, name = 2, input = 11, output = 12 }
// NodeProto { input = 1, output = 2, op_type = 4 }
// ValueInfoProto { name = 1, type = 2 }; TypeProto { tensor_type = 1 }
// TypeProto.Tensor { elem_type = 1 (1 = FLOAT), shape = 2 }; TensorShapeProto { dim = 1 }
// TensorShapeProto.Dimension { dim_value = 1 }; OperatorSetIdProto { domain = 1, version = 2 }

const IR_VERSION = 8;
const OPSET = 13;
const FLOAT = 1;

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

const intField = (field: number, value: number) => [...varint(field << 3), ...varint(value)];
const bytesField = (field: number, bytes: number[]) => [...varint((field << 3) | 2), ...varint(bytes.length), ...bytes];
const textField = (field: number, text: string) => bytesField(field, [...new TextEncoder().encode(text)]);

function tensorValue(name: string, shape: readonly number[]): number[] {
  const dims = shape.flatMap((d) => bytesField(1, intField(1, d)));
  const tensorType = [...intField(1, FLOAT), ...bytesField(2, dims)];
  return [...textField(1, name), ...bytesField(2, bytesField(1, tensorType))];
}

/** Bytes of an ONNX model with inputs `A` (shape `a`), `B` (shape `b`) and output `C = A @ B` (shape `c`). */
export function matmulModelBytes(a: readonly number[], b: readonly number[], c: readonly number[]): Uint8Array {
  const node = [...textField(1, 'A'), ...textField(1, 'B'), ...textField(2, 'C'), ...textField(4, 'MatMul')];
  const graph = [
    ...bytesField(1, node),
    ...textField(2, 'matmul'),
    ...bytesField(11, tensorValue('A', a)),
    ...bytesField(11, tensorValue('B', b)),
    ...bytesField(12, tensorValue('C', c)),
  ];
  const opset = [...textField(1, ''), ...intField(2, OPSET)];
  return Uint8Array.from([...intField(1, IR_VERSION), ...bytesField(7, graph), ...bytesField(8, opset)]);
}
