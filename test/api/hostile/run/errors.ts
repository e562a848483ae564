// An error as the checks see it: its outward shape, which must equal node:crypto's, and one line
// for a failure message.

/** An error as seen from outside: base class, constructor, name, code, message. */
export function errorShape(e: unknown): unknown {
  if (!(e instanceof Error) && !(e instanceof DOMException)) return { nonError: String(e) };
  const base = [DOMException, RangeError, TypeError, Error].find((C) => e instanceof C)?.name;
  return { base, ctor: e.constructor.name, name: e.name, code: (e as { code?: unknown }).code, message: e.message };
}

/** `e` in one line: constructor, name, code and message. */
export function showError(e: unknown): string {
  if (!(e instanceof Error) && !(e instanceof DOMException)) return `a non-error (${String(e)})`;
  const code = (e as { code?: unknown }).code;
  return `${e.constructor.name} ${e.name}${code === undefined ? '' : ` [${String(code)}]`}: ${e.message}`;
}
