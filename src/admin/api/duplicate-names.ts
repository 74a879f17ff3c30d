/**
 * Whether a JSON text (already known to parse) has an object with the same member name twice.
 * RFC 8259 §4: names SHOULD be unique, and with duplicates "the behavior of software that
 * receives such an object is unpredictable": JSON.parse keeps the last, while a proxy, a WAF or an
 * audit tool in front may read the first. Names are compared decoded (`"a"` and `"\u0061"` are one name).
 */
export function hasDuplicateNames(text: string): boolean {
  /** Names seen per open object; `undefined` for an open array. */
  const open: Array<Set<string> | undefined> = [];
  let nameNext = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const names = open[open.length - 1];
      if (names && nameNext) {
        const name = JSON.parse(text.slice(i, end + 1)) as string;
        if (names.has(name)) return true;
        names.add(name);
        nameNext = false;
      }
      i = end;
    } else if (c === '{') {
      open.push(new Set());
      nameNext = true;
    } else if (c === '[') {
      open.push(undefined);
      nameNext = false;
    } else if (c === '}' || c === ']') {
      open.pop();
      nameNext = false;
    } else if (c === ',') {
      nameNext = open[open.length - 1] !== undefined;
    }
  }
  return false;
}
