// The few fields of onnx.proto that looplab's one-node baseline models need, written as protobuf
// bytes directly (no protobuf library).
//
// ModelProto { ir_version = 1, graph = 7, opset_import = 8 }
// GraphProto { node = 1, name = 2, input = 11, output = 12 }
// NodeProto { input = 1, output = 2, op_type = 4, attribute = 5 }
// AttributeProto { name = 1, type = 20 (7 = INTS), ints = 8 }
// ValueInfoProto { name = 1, type = 2 }; TypeProto { tensor_type = 1 }
// TypeProto.Tensor { elem_type = 1 (1 = FLOAT), shape = 2 }; TensorShapeProto { dim = 1 }
// TensorShapeProto.Dimension { dim_value = 1 }; OperatorSetIdProto { domain = 1, version = 2 }

const IR_VERSION = 8;
const OPSET = 13;
const FLOAT = 1;
const INTS = 7;

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

function intsAttribute(name: string, values: readonly number[]): number[] {
  return [...textField(1, name), ...values.flatMap((v) => intField(8, v)), ...intField(20, INTS)];
}

export interface OnnxNode {
  op: string;
  /** Names and shapes of the float32 inputs, in the operator's order. */
  inputs: ReadonlyArray<readonly [string, readonly number[]]>;
  output: readonly [string, readonly number[]];
  /** Integer-list attributes (e.g. Conv's `strides`). */
  attributes?: Readonly<Record<string, readonly number[]>>;
}

/** Bytes of an ONNX model whose graph is the one node. */
export function oneNodeModelBytes(node: OnnxNode): Uint8Array {
  const nodeBytes = [
    ...node.inputs.flatMap(([name]) => textField(1, name)),
    ...textField(2, node.output[0]),
    ...textField(4, node.op),
    ...Object.entries(node.attributes ?? {}).flatMap(([name, values]) => bytesField(5, intsAttribute(name, values))),
  ];
  const graph = [
    ...bytesField(1, nodeBytes),
    ...textField(2, node.op.toLowerCase()),
    ...node.inputs.flatMap(([name, shape]) => bytesField(11, tensorValue(name, shape))),
    ...bytesField(12, tensorValue(...node.output)),
  ];
  const opset = [...textField(1, ''), ...intField(2, OPSET)];
  return Uint8Array.from([...intField(1, IR_VERSION), ...bytesField(7, graph), ...bytesField(8, opset)]);
}
