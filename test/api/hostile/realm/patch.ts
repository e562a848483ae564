// Patching the realm, always undone. patchProperty records each undo, so that restoreAllPatches
// (every suite's afterEach) undoes whatever a test left patched, even one that failed midway. A
// Patch is a named set of such changes, applied just around our call.

const pendingRestores = new Set<() => void>();

/** Defines `key` on `target`; returns the undo, which afterEach also runs if the test did not. */
export function patchProperty(target: object, key: PropertyKey, descriptor: PropertyDescriptor): () => void {
  const saved = Object.getOwnPropertyDescriptor(target, key);
  Object.defineProperty(target, key, { configurable: true, ...descriptor });
  const restore = () => {
    if (!pendingRestores.delete(restore)) return;
    if (saved === undefined) delete (target as Record<PropertyKey, unknown>)[key];
    else Object.defineProperty(target, key, saved);
  };
  pendingRestores.add(restore);
  return restore;
}

/** Undoes every patch still in place, the latest first. */
export function restoreAllPatches(): void {
  for (const restore of [...pendingRestores].reverse()) restore();
}

/** A change to the realm made just around our call (its synchronous part). */
export interface Patch {
  label: string;
  /** It patches a species: run the 1 MiB request under it too. */
  species?: boolean;
  /** Patches, and returns the undo. */
  apply(): () => void;
}

/** A Patch that defines each of `targets` (target, key, descriptor). */
export const patched = (label: string, ...targets: Array<[object, PropertyKey, PropertyDescriptor]>): Patch => ({
  label,
  species: targets.some(([, key]) => key === Symbol.species),
  apply() {
    const undo = targets.map(([target, key, descriptor]) => patchProperty(target, key, descriptor));
    return () => {
      for (const u of undo.reverse()) u();
    };
  },
});

/** What a patched function, or a caller's own method or getter, does if the library calls it: throws. */
export function patchedCalled(what: string): never {
  throw new Error(`patched ${what} was called`);
}
