// The program of one kernel thread, for Node's worker_threads and the browser's Web Workers
// alike (plain JavaScript, no imports, so either can load it as is). The protocol and the
// control block layout are documented in threads.ts, which drives it; keep the two in step.
//
// `port` is { postMessage(message), onMessage(listener) }.

const GENERATION = 0;
const DONE = 1;
const COMMAND = 2;
const FAILED = 3;
const SLOTS = 8;
const SLOT_WORDS = 8;
const LOADED_WORD = 7;
const COMMAND_RUN = 0;
const ERROR_BYTES = 256;

export function serveKernelThread(port) {
  let control;
  let errorText;
  let fn;
  let index = 0;

  // Blocks on the control block until told to release: every generation runs the loaded
  // function once with this thread's arguments, then counts itself done.
  function serve(seen) {
    for (;;) {
      Atomics.wait(control, GENERATION, seen);
      const generation = Atomics.load(control, GENERATION);
      // A wake-up without a new generation (the pool wakes threads again while it waits) is not a call.
      if (generation === seen) continue;
      seen = generation;
      if (Atomics.load(control, COMMAND) !== COMMAND_RUN) {
        finish();
        return;
      }
      const slot = SLOTS + index * SLOT_WORDS;
      if (control[slot] === 1) {
        try {
          fn(
            control[slot + 1],
            control[slot + 2],
            control[slot + 3],
            control[slot + 4],
            control[slot + 5],
            control[slot + 6],
          );
        } catch (error) {
          const text = new TextEncoder().encode(
            `thread ${index}: ${error instanceof Error ? error.message : String(error)}`,
          );
          if (Atomics.compareExchange(control, FAILED, 0, index + 1) === 0) {
            errorText.fill(0);
            errorText.set(text.subarray(0, ERROR_BYTES));
          }
        }
      }
      finish();
    }
  }

  function finish() {
    Atomics.add(control, DONE, 1);
    Atomics.notify(control, DONE);
  }

  port.onMessage(async (message) => {
    if (message.type !== 'load') return;
    try {
      control = new Int32Array(message.control);
      errorText = new Uint8Array(message.errorText);
      index = message.index;
      const imports = message.memory ? { env: { memory: message.memory } } : {};
      const instance = await WebAssembly.instantiate(message.module, imports);
      fn = instance.exports[message.exportName];
      if (typeof fn !== 'function') throw new Error(`the module does not export a function '${message.exportName}'`);
    } catch (error) {
      port.postMessage({
        type: 'error',
        load: message.load,
        message: error instanceof Error ? error.message : String(error),
      });
      return;
    }
    // Read the generation before saying ready, so that a run dispatched right after is not missed.
    const seen = Atomics.load(control, GENERATION);
    Atomics.store(control, SLOTS + index * SLOT_WORDS + LOADED_WORD, message.load);
    port.postMessage({ type: 'loaded', load: message.load });
    serve(seen);
  });
}
