// A Disposable from a release function. Symbol.dispose exists in Node 20+ and current
// browsers; the registered-symbol fallback keeps older engines working with `using` polyfills.
const DISPOSE: typeof Symbol.dispose =
  (Symbol as { dispose?: typeof Symbol.dispose }).dispose ??
  (Symbol.for("Symbol.dispose") as typeof Symbol.dispose);

export function disposable(release: () => void): Disposable {
  return { [DISPOSE]: release } as Disposable;
}
