// The guest's serial output as the in-process bench scripts (phases.mjs, guest-profile.mjs)
// watch it: a sink for the board's `serial` option and a wait for text in what follows.
//
// Only the last 256 characters are kept: the waits need recent text, and keeping the whole log
// (one string concatenation per byte, flattened by every search) allocated ~170 MB during the
// boot, inflating the GC cost being measured. A script that needs more passes `onText`.

/**
 * `onText(text)`: called with each piece of output (latin1), for a script that records some.
 * Returns `{ write, until }`: `write` is the board's serial sink; `until(text, seconds)` waits
 * for `text` in the output that follows the call (rejects after `seconds`, default 600).
 */
export function serialWatch(onText = undefined) {
  let recent = "";
  let onOutput = () => {};
  return {
    write(bytes) {
      const text = Buffer.from(bytes).toString("latin1");
      recent = (recent + text).slice(-256);
      onText?.(text);
      onOutput();
    },
    until(text, seconds = 600) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no "${text}" in ${seconds} s`)),
          seconds * 1000,
        );
        onOutput = () => {
          if (!recent.includes(text)) return;
          clearTimeout(timer);
          onOutput = () => {};
          resolve();
        };
        recent = "";
      });
    },
  };
}
