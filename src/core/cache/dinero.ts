// Dinero IV's "din" text format: one reference per line, `label address` with label 0 for a data
// read and 1 for a data write and the address in hex. An access that spans two cache lines is
// written as one reference per line (each starting where the access enters that line), so that a
// simulator replaying the file with the same line size sees exactly the references counted here.

/** The din records of a batch of coded accesses (tensor | 4 for a store | bytes << 3). */
export function dineroRecords(addresses: Uint32Array, codes: Uint8Array, count: number, lineBytes: number): string {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const label = codes[i] & 4 ? '1 ' : '0 ';
    const address = addresses[i];
    const end = address + (codes[i] >> 3);
    out.push(label + address.toString(16));
    for (let line = (Math.floor(address / lineBytes) + 1) * lineBytes; line < end; line += lineBytes)
      out.push(label + line.toString(16));
  }
  return out.length ? `${out.join('\n')}\n` : '';
}
